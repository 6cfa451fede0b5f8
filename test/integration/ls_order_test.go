package integration

import (
	"testing"
)

// LXC's get_interfaces/get_ips keep their lists sorted byte-wise, whatever
// order the kernel reports: lxc-ls shows "aaa, eth0, lo" and lxc-info -i
// lists 10.1.0.1 before 9.0.0.1.
func TestLsAndInfoListInterfacesAndAddressesSorted(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	// Not the template's init: its rcS starts udhcpc, whose deconfig
	// flushes eth0, racing with the address added below.
	busybox(t, lp, "misc-ifs",
		"lxc.net.1.type = veth", "lxc.net.1.name = eth0", "lxc.net.1.flags = up",
		"lxc.net.2.type = veth", "lxc.net.2.name = aaa", "lxc.net.2.flags = up",
		`lxc.init.cmd = /bin/sh -c "while :; do sleep 1; done"`)
	startRunning(t, lp, "misc-ifs")
	defer killStop(t, lp, "misc-ifs")
	mustRun(t, "lxc-attach", "-P", lp, "-n", "misc-ifs", "--", "ip", "addr", "add", "9.0.0.1/24", "dev", "eth0")
	mustRun(t, "lxc-attach", "-P", lp, "-n", "misc-ifs", "--", "ip", "addr", "add", "10.1.0.1/24", "dev", "aaa")

	lsArgs := []string{"-P", lp, "-f", "-F", "NAME,INTERFACE,IPV4"}
	want := "NAME     INTERFACE     IPV4              \nmisc-ifs aaa, eth0, lo 10.1.0.1, 9.0.0.1 \n"
	expect(t, run(t, nil, "lxc-ls", lsArgs...), 0, want, "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "misc-ifs", "-i"), 0, "IP:             10.1.0.1\nIP:             9.0.0.1\n", "")

	// The same container seen by LXC 5.0.2 (skips when it is absent).
	expect(t, runPath(t, nil, lxcTool(t, "lxc-ls"), lsArgs...), 0, want, "")
	expect(t, runPath(t, nil, lxcTool(t, "lxc-info"), "-P", lp, "-n", "misc-ifs", "-i"), 0, "IP:             10.1.0.1\nIP:             9.0.0.1\n", "")
}
