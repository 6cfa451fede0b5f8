// Command lxc-user-nic is golxc's setuid-root helper that gives an
// unprivileged container a veth on a host bridge within the caller's
// /etc/lxc/lxc-usernet quota, with LXC 5.0.2's calling convention:
//
//	lxc-user-nic create LXCPATH NAME PID TYPE BRIDGE [NICNAME]
//	lxc-user-nic delete LXCPATH NAME /proc/PID/ns/net TYPE BRIDGE NICNAME
//
// It is a separate, small Go program, not the multi-call golxc: it clears
// its environment first, reads nothing but its argv, the two files below
// and netlink, and checks everything against the real uid. Why Go and
// what its runtime does when setuid: see internal/usernic's doc.
package main

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// The quota file and the record of devices. Paths are fixed at build
// time (-ldflags -X, for tests), never taken from the caller.
var (
	usernetConf = "/etc/lxc/lxc-usernet"
	nicsDB      = "/run/lxc/nics"
)

const usage = `Description:
  Manage nics in another network namespace

Usage:
  lxc-user-nic [command]

Available Commands:
  create {lxcpath} {name} {pid} {type} {bridge} {container nicname}
  delete {lxcpath} {name} {/proc/<pid>/ns/net} {type} {bridge} {container nicname}
`

func main() {
	os.Clearenv()
	os.Exit(run(os.Args))
}

func fail(format string, args ...any) int {
	fmt.Fprintf(os.Stderr, "lxc-user-nic: "+format+"\n", args...)
	return 1
}

func run(argv []string) int {
	if len(argv) < 7 || (argv[1] != "create" && argv[1] != "delete") || (argv[1] == "delete" && len(argv) < 8) || len(argv) > 8 {
		fmt.Fprint(os.Stderr, usage)
		return 1
	}
	if unix.Geteuid() != 0 {
		return fail("must be setuid root")
	}
	who, err := caller()
	if err != nil {
		return fail("%v", err)
	}
	// argv: PROG CMD LXCPATH NAME PID|NSPATH TYPE BRIDGE [NICNAME]
	typ, bridge := argv[5], argv[6]
	if typ != "veth" {
		return fail("network type %q is not supported: only veth", typ)
	}
	nic := ""
	if len(argv) == 8 {
		nic = argv[7]
	}
	if argv[1] == "delete" {
		return deleteNic(who, argv[4], typ, bridge, nic)
	}
	pid, err := strconv.Atoi(argv[4])
	if err != nil || pid <= 0 {
		return fail("Could not read pid: %s", argv[4])
	}
	return createNic(who, pid, typ, bridge, nic)
}

// randomUint32 feeds usernic.FillName.
func randomUint32() uint32 {
	var b [4]byte
	rand.Read(b[:])
	return binary.LittleEndian.Uint32(b[:])
}
