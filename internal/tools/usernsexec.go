package tools

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/idmap"
	"github.com/golxc/golxc/internal/mountinfo"
	"github.com/golxc/golxc/internal/spawn"
)

func init() {
	register("lxc-usernsexec", runUsernsexec)
	spawn.RegisterStage(usernsexecStage, usernsexecChild)
}

// runUsernsexec is lxc-usernsexec: run a command as root in a new user
// namespace (and mount namespace) whose maps are -m's, or the caller's
// /etc/subuid and /etc/subgid ranges. Root writes the maps itself, a user
// through newuidmap/newgidmap (internal/idmap).
func runUsernsexec(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	prog := argv[0]
	a, bad, msg := parseUsernsexec(prog, argv[1:])
	if a.help || bad {
		io.WriteString(stderr, msg)
		fmt.Fprintf(stdout, usernsexecUsage, prog)
		if bad {
			return 1
		}
		return 0
	}
	maps := a.maps
	if len(maps) == 0 {
		var ok bool
		maps, ok = usernsexecCallerMaps()
		if !ok {
			fmt.Fprintln(stderr, "Failed to find subuid or subgid allocation")
			return 1
		}
	}
	if a.mapSelf {
		maps = usernsexecMapSelf(maps, uint32(os.Getuid()), uint32(os.Getgid()))
	}
	if len(a.cmd) == 0 {
		a.cmd = []string{"/bin/sh"}
	}
	return usernsexecParent(prog, maps, a.cmd, stdin, stdout, stderr)
}

// usernsexecCallerMaps reads the caller's default maps.
func usernsexecCallerMaps() ([]config.IDMap, bool) {
	who, err := idmap.CurrentCaller()
	if err != nil {
		return nil, false
	}
	subuid, err1 := idmap.ReadSubIDs(idmap.SubUIDFile, who.Name, who.UID)
	subgid, err2 := idmap.ReadSubIDs(idmap.SubGIDFile, who.Name, who.UID)
	if err1 != nil || err2 != nil {
		return nil, false
	}
	return usernsexecDefaultMaps(subuid, subgid)
}

// usernsexecParent starts the child in new user and mount namespaces
// (golxc's C stage unshares them before the child's Go runtime starts, so
// the child keeps its capabilities there: Go cannot fork, and an exec
// between unshare and the maps would drop them), maps it and returns its
// exit code: as LXC, only its exit status (killed by a signal gives 0).
func usernsexecParent(prog string, maps []config.IDMap, cmdArgs []string, stdin io.Reader, stdout, stderr io.Writer) int {
	uids, gids := idmap.Split(maps)
	p, err := spawn.Start(spawn.Request{
		Mode:       spawn.Create,
		CloneFlags: unix.CLONE_NEWUSER | unix.CLONE_NEWNS,
		UIDMap:     uids,
		GIDMap:     gids,
		Stage:      usernsexecStage,
		Args:       cmdArgs,
		Stdin:      fileOr(stdin, os.Stdin),
		Stdout:     fileOr(stdout, os.Stdout),
		Stderr:     fileOr(stderr, os.Stderr),
		CgroupFD:   -1,
		Argv0:      prog,
	})
	if err != nil {
		var se *spawn.StageError
		if errors.As(err, &se) {
			fmt.Fprintf(stderr, "%s: Failed to unshare mount and user namespace: %v\n", prog, err)
			return 1
		}
		var mr *idmap.MissingRangeError
		if errors.As(err, &mr) {
			err = mr // the one line that says how to grant the range
		}
		fmt.Fprintf(stderr, "%s: %v\n", prog, err)
		fmt.Fprintln(stderr, "Failed to write id mapping for child process")
		return 1
	}
	p.Sync.Close()
	ws, err := p.Wait()
	if err != nil {
		fmt.Fprintf(stderr, "%s: Failed to wait on child process: %v\n", prog, err)
		return 1
	}
	if ws.Exited() {
		return ws.ExitStatus()
	}
	return 0
}

// fileOr is r or w when it is an *os.File (the tool's real stdio), else def.
func fileOr(x any, def *os.File) *os.File {
	if f, ok := x.(*os.File); ok {
		return f
	}
	return def
}

const usernsexecStage = "usernsexec"

// usernsexecChild runs in the new, mapped namespaces: it becomes root
// there (supplementary groups dropped where allowed), turns a shared /
// into a slave so nothing it mounts propagates out, and execs the command.
func usernsexecChild(sync *os.File, cmdArgs []string) int {
	sync.Close()
	stderr := os.Stderr
	// EPERM: setgroups is "deny" in this namespace (only one's own gid
	// is mapped); the caller's groups then stay, as with LXC.
	if err := unix.Setgroups(nil); err != nil && err != unix.EPERM {
		fmt.Fprintf(stderr, "lxc-usernsexec: Failed to drop supplementary groups: %v\n", err)
		return 1
	}
	if err := unix.Setresgid(0, 0, 0); err != nil {
		fmt.Fprintf(stderr, "lxc-usernsexec: Failed to switch to gid 0: %v\n", err)
		return 1
	}
	if err := unix.Setresuid(0, 0, 0); err != nil {
		fmt.Fprintf(stderr, "lxc-usernsexec: Failed to switch to uid 0: %v\n", err)
		return 1
	}
	if rootIsShared() {
		if err := unix.Mount("", "/", "", unix.MS_SLAVE|unix.MS_REC, ""); err != nil {
			fmt.Fprintf(stderr, "lxc-usernsexec: Failed to recursively turn root mount tree into dependent mount: %v\n", err)
			return 1
		}
	}
	path, err := exec.LookPath(cmdArgs[0])
	if err == nil {
		err = unix.Exec(path, cmdArgs, os.Environ())
	}
	fmt.Fprintf(stderr, "lxc-usernsexec: Failed to execute \"%s\": %v\n", cmdArgs[0], unwrapExecErr(err))
	return 1
}

func unwrapExecErr(err error) error {
	if ee, ok := err.(*exec.Error); ok {
		return ee.Err
	}
	return err
}

// rootIsShared reports whether / is a shared mount in this namespace.
func rootIsShared() bool {
	ms, err := mountinfo.Read()
	if err != nil {
		return false
	}
	for i := range ms {
		if ms[i].Point == "/" && ms[i].Shared() {
			return true
		}
	}
	return false
}
