package tools

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/namespace"
	"github.com/golxc/golxc/internal/network"
)

func init() { register("lxc-unshare", runUnshare) }

const unshareHelp = `-s NAMESPACES COMMAND

lxc-unshare run a COMMAND in a new set of NAMESPACES

Options :
  -s, --namespaces=FLAGS
                    ORed list of flags to unshare:
                    MOUNT, PID, UTSNAME, IPC, USER, NETWORK
  -u, --user=USERID
                    new id to be set if -s USER is specified
  -H, --hostname=HOSTNAME
                    Set the hostname in the container
  -i, --ifname=IFNAME
                    Interface name to be moved into container (presumably with NETWORK unsharing set)
  -d, --daemon      Daemonize (do not wait for container to exit)
  -M, --remount     Remount default fs inside container (/proc /dev/shm /dev/mqueue)
`

// unshareEnv carries the child's instructions (unshareSpec, JSON) from
// lxc-unshare to the copy of itself it starts in the new namespaces; the
// child removes it before exec'ing the command.
const unshareEnv = "GOLXC_UNSHARE_CHILD"

// unshareSpec is what the child does in the new namespaces, in order,
// once lxc-unshare says go (id map written, interfaces moved).
type unshareSpec struct {
	Flags    uintptr
	Remount  bool   // -M: fresh /proc, /dev/shm, /dev/mqueue
	Hostname string // -H
	SetUID   bool
	UID      int
	Argv     []string
}

func runUnshare(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if spec := os.Getenv(unshareEnv); spec != "" {
		return unshareChild(spec, stderr)
	}
	var s unshareSpec
	var ifnames []string
	daemon := false
	t := &cli.Tool{
		Name: "lxc-unshare", Help: unshareHelp, NameMode: cli.NameNoOperand,
		Options: []cli.Option{
			{Short: 's', Long: "namespaces", Arg: cli.RequiredArg, Set: func(v string) error {
				f, err := namespace.ParseList(v)
				if err != nil {
					return fmt.Errorf("could not parse command line: %v", err)
				}
				s.Flags = f
				return nil
			}},
			{Short: 'u', Long: "user", Arg: cli.RequiredArg, Set: func(v string) error {
				uid, err := lookupUID(v)
				if err != nil {
					return fmt.Errorf("could not parse command line: %v", err)
				}
				s.SetUID, s.UID = true, uid
				return nil
			}},
			{Short: 'H', Long: "hostname", Arg: cli.RequiredArg, Set: func(v string) error { s.Hostname = v; return nil }},
			{Short: 'i', Long: "ifname", Arg: cli.RequiredArg, Set: func(v string) error { ifnames = append(ifnames, v); return nil }},
			{Short: 'd', Long: "daemon", Set: func(string) error { daemon = true; return nil }},
			{Short: 'M', Long: "remount", Set: func(string) error { s.Remount = true; return nil }},
		},
		Run: func(c *cli.Ctx) int {
			s.Argv = c.Args
			if err := s.check(len(ifnames) > 0); err != nil {
				c.Errorf("%v", err)
				return 1
			}
			return unshareRun(c, s, ifnames, daemon)
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}

// check is LXC's order of complaints about the options.
func (s *unshareSpec) check(ifnames bool) error {
	switch {
	case len(s.Argv) == 0:
		return errors.New("A command to execute in the new namespace is required")
	case s.Flags == 0:
		return errors.New("A namespace to execute command is required")
	case ifnames && s.Flags&unix.CLONE_NEWNET == 0:
		return errors.New("-i <interfacename> needs -s NETWORK option")
	case s.Hostname != "" && s.Flags&unix.CLONE_NEWUTS == 0:
		return errors.New("-H <hostname> needs -s UTSNAME option")
	case s.Remount && s.Flags&unix.CLONE_NEWNS == 0:
		return errors.New("-M needs -s MOUNT option")
	}
	return nil
}

// lookupUID takes a uid or a user name, which must exist, as LXC.
func lookupUID(v string) (int, error) {
	if n, err := strconv.ParseUint(v, 10, 32); err == nil {
		if _, err := user.LookupId(v); err != nil {
			return 0, fmt.Errorf("invalid uid %s: no such user", v)
		}
		return int(n), nil
	}
	u, err := user.Lookup(v)
	if err != nil {
		return 0, fmt.Errorf("invalid username %q", v)
	}
	n, _ := strconv.Atoi(u.Uid)
	return n, nil
}

// unshareRun starts a copy of golxc in the new namespaces (os/exec's
// clone flags), writes the -u map for a new user namespace, moves the -i
// interfaces, lets the child go and waits for the command: exit 0 when it
// succeeded, 1 otherwise (LXC's lxc-unshare does not pass the status on).
func unshareRun(c *cli.Ctx, s unshareSpec, ifnames []string, daemon bool) int {
	spec, err := json.Marshal(s)
	if err != nil {
		return c.Fail(err)
	}
	goR, goW, err := os.Pipe()
	if err != nil {
		return c.Fail(err)
	}
	defer goW.Close()
	cmd := exec.Command("/proc/self/exe")
	cmd.Args = []string{"lxc-unshare"}
	cmd.Env = append(os.Environ(), unshareEnv+"="+string(spec))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	cmd.ExtraFiles = []*os.File{goR}
	attr := &syscall.SysProcAttr{Cloneflags: s.Flags}
	switch {
	case s.SetUID && s.Flags&unix.CLONE_NEWUSER != 0:
		// As LXC: the chosen id inside is the caller's outside.
		attr.UidMappings = []syscall.SysProcIDMap{{ContainerID: s.UID, HostID: os.Getuid(), Size: 1}}
	case s.Flags&unix.CLONE_NEWUSER != 0:
		// No map (LXC writes none without -u): the child is an unmapped
		// id and would lose the new namespace's capabilities when it
		// execs itself; ambient ones survive that exec, and the child
		// clears them before it execs the command.
		for c := 0; c <= config.LastCap(); c++ {
			attr.AmbientCaps = append(attr.AmbientCaps, uintptr(c))
		}
	}
	cmd.SysProcAttr = attr
	if err := cmd.Start(); err != nil {
		goR.Close()
		c.Errorf("Failed to clone: %v", err)
		return 1
	}
	goR.Close()
	pid := cmd.Process.Pid
	log.Debugf("Started %d in new namespaces (%s)", pid, namespace.Describe(s.Flags))
	for _, ifn := range ifnames {
		if err := network.MoveIn(pid, ifn, ifn); err != nil {
			// As LXC, a device that cannot move is reported, not fatal.
			c.Errorf("Could not move interface %q into the new network namespace: %v", ifn, err)
		}
	}
	if _, err := goW.Write([]byte{1}); err != nil {
		c.Errorf("Failed to start the command: %v", err)
	}
	goW.Close()
	if daemon {
		_ = cmd.Process.Release()
		return 0
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		c.Errorf("The command %s %s", s.Argv[0], describeExit(ee))
		return 1
	}
	c.Errorf("Failed to wait for %d: %v", pid, err)
	return 1
}

func describeExit(ee *exec.ExitError) string {
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return "was killed by signal " + ws.Signal().String()
	}
	return "exited with status " + strconv.Itoa(ee.ExitCode())
}

// unshareChild runs in the new namespaces: it waits for lxc-unshare's go,
// sets them up as asked and execs the command.
func unshareChild(specText string, stderr io.Writer) int {
	fail := func(format string, args ...any) int {
		fmt.Fprintf(stderr, "lxc-unshare: "+format+"\n", args...)
		return 1
	}
	// Mounts, ids and the ambient set are per thread: do all of it, and
	// the exec, on this one.
	runtime.LockOSThread()
	var s unshareSpec
	if err := json.Unmarshal([]byte(specText), &s); err != nil || len(s.Argv) == 0 {
		return fail("bad instructions from the parent: %v", err)
	}
	goR := os.NewFile(3, "go")
	b := make([]byte, 1)
	if n, _ := goR.Read(b); n != 1 {
		return 1 // the parent gave up
	}
	goR.Close()
	if s.Flags&unix.CLONE_NEWNS != 0 {
		if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
			return fail("make / private in the new mount namespace: %v", err)
		}
		if s.Remount {
			remountDefaults()
		}
	}
	if s.Hostname != "" {
		if err := unix.Sethostname([]byte(s.Hostname)); err != nil {
			return fail("Failed to set hostname %s: %v", s.Hostname, err)
		}
	}
	if s.SetUID {
		if err := syscall.Setuid(s.UID); err != nil {
			return fail("Failed to set uid %d: %v", s.UID, err)
		}
	}
	env := make([]string, 0, len(os.Environ()))
	for _, e := range os.Environ() {
		if !strings.HasPrefix(e, unshareEnv+"=") {
			env = append(env, e)
		}
	}
	// Only what the command would have had under LXC crosses the exec:
	// no ambient or inheritable capabilities (os/exec set both for us).
	_ = unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
	clearInheritable()
	path, err := exec.LookPath(s.Argv[0])
	if err == nil {
		err = unix.Exec(path, s.Argv, env)
	}
	return fail("Failed to exec: '%s': %v", s.Argv[0], err)
}

// remountDefaults gives the new namespaces their own /proc, /dev/shm and
// /dev/mqueue (-M). Each is best effort, as with LXC; unlike LXC 5.0.2,
// /proc is mounted again after the old one is unmounted (LXC's leaves
// /proc empty).
func remountDefaults() {
	for _, m := range []struct{ src, dir, fstype string }{
		{"proc", "/proc", "proc"}, {"shmfs", "/dev/shm", "tmpfs"}, {"mqueue", "/dev/mqueue", "mqueue"},
	} {
		_ = os.Mkdir(m.dir, 0o770)
		_ = unix.Unmount(m.dir, unix.MNT_DETACH)
		if err := unix.Mount(m.src, m.dir, m.fstype, 0, ""); err != nil {
			log.Debugf("Could not mount %s on %s: %v", m.fstype, m.dir, err)
		}
	}
}

// clearInheritable empties this thread's inheritable capability set.
func clearInheritable() {
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if unix.Capget(&hdr, &data[0]) != nil {
		return
	}
	data[0].Inheritable, data[1].Inheritable = 0, 0
	_ = unix.Capset(&hdr, &data[0])
}
