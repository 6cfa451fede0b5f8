package lxc

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/lock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/monitor"
	"github.com/golxc/golxc/internal/nsexec"
	"github.com/golxc/golxc/internal/selfexe"
)

// A killed lxc-sandbox (SIGKILL, OOM) cannot remove what it made: its
// monitor's cgroups, the mounts below its runtime directory, the
// container's directory. The guard, a golxc process in its own session
// started before anything is made, waits for lxc-sandbox (end of a pipe)
// or, with --keep, for the daemonized monitor (pidfd), then removes
// whatever is left. After a normal end it finds nothing to do.

const (
	guardEnv  = "GOLXC_SANDBOX_GUARD"
	guardDone = "done" // the sandbox cleaned up itself
)

// parseGuardInput reads what lxc-sandbox wrote to its guard: "pid N" (a
// --keep sandbox's monitor, to wait for) and "done" (nothing left to do).
func parseGuardInput(in string) (pid int, done bool) {
	for _, line := range strings.Split(in, "\n") {
		if v, ok := strings.CutPrefix(line, "pid "); ok {
			pid, _ = strconv.Atoi(v)
		} else if line == guardDone {
			done = true
		}
	}
	return pid, done
}

// guardState is what the guard needs to find the sandbox's leftovers.
type guardState struct {
	ID      string
	Name    string
	LXCPath string
	Named   bool
}

type sandboxGuard struct {
	w    *os.File
	held *os.File // guard.json, share-locked while we run
}

func (sb *sandbox) state() guardState {
	return guardState{ID: sb.id, Name: sb.name, LXCPath: sb.lxcpath, Named: sb.named}
}

func (sb *sandbox) startGuard() (*sandboxGuard, error) {
	// guard.json stays share-locked while lxc-sandbox or its guard
	// lives: a runtime directory whose lock nobody holds is stale.
	held, err := os.OpenFile(sb.path("guard.json"), os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sandbox guard state: %v", err)
	}
	b, err := json.Marshal(sb.state())
	if err == nil {
		err = unix.Flock(int(held.Fd()), unix.LOCK_SH)
	}
	if err == nil {
		_, err = held.Write(b)
	}
	if err != nil {
		held.Close()
		return nil, fmt.Errorf("sandbox guard state: %v", err)
	}
	// golxc's lxc-sandbox forked its guard before the Go runtime started
	// (internal/nsexec, sandboxguard.c): tell it the directory.
	if fd, ok := nsexec.TakeSandboxGuardFD(); ok {
		w := os.NewFile(uintptr(fd), "sandbox guard")
		if !strings.Contains(sb.dir, "\n") {
			if _, err := fmt.Fprintf(w, "dir %s\n", sb.dir); err == nil {
				return &sandboxGuard{w: w, held: held}, nil
			}
		}
		w.Close() // that guard exits; start one the usual way
	}
	bin, err := selfexe.Find()
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("sandbox guard: %v", err)
	}
	defer r.Close()
	env := []string{guardEnv + "=" + sb.dir, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"}
	// A user's runtime directory (so sandboxTop) is found through these.
	for _, k := range []string{"HOME", "XDG_RUNTIME_DIR"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	cmd := &exec.Cmd{Path: bin.Path, Args: []string{"golxc", "lxc-sandbox"}, Stdin: r,
		Env: env, SysProcAttr: &syscall.SysProcAttr{Setsid: true}}
	if err := hideInherited(cmd.Start); err != nil {
		w.Close()
		held.Close()
		return nil, fmt.Errorf("sandbox guard: starting %s: %v", bin.Path, err)
	}
	// Not waited for: it outlives us by design (init reaps it).
	_ = cmd.Process.Release()
	return &sandboxGuard{w: w, held: held}, nil
}

// watch tells the guard to wait for the daemonized monitor pid instead.
func (g *sandboxGuard) watch(pid int) { fmt.Fprintf(g.w, "pid %d\n", pid) }

// release lets the guard go: it cleans up at once or after the monitor,
// or, when the sandbox is gone and cleaned up (done), just exits.
func (g *sandboxGuard) release(done bool) {
	if done {
		fmt.Fprintln(g.w, guardDone)
	}
	g.w.Close()
	g.held.Close()
}

// isSandboxID: the runtime directories' names, 6 hex digits.
func isSandboxID(s string) bool {
	if len(s) != 6 {
		return false
	}
	for _, r := range s {
		if !('0' <= r && r <= '9' || 'a' <= r && r <= 'f') {
			return false
		}
	}
	return true
}

// RunSandboxGuardIfRequested is the guard process's body when golxc's
// lxc-sandbox tool was started as one (it then never returns); otherwise
// it returns at once. Programs using package lxc need not call it.
func RunSandboxGuardIfRequested() {
	dir := os.Getenv(guardEnv)
	if dir == "" {
		return
	}
	top := sandboxTop()
	if filepath.Dir(dir) != top || !isSandboxID(filepath.Base(dir)) {
		fmt.Fprintf(os.Stderr, "lxc-sandbox: %s=%q is not a sandbox of this host\n", guardEnv, dir)
		os.Exit(1)
	}
	f, err := os.Open(filepath.Join(dir, "guard.json"))
	if err != nil {
		os.Exit(1)
	}
	defer f.Close()
	unix.Flock(int(f.Fd()), unix.LOCK_SH)
	st, err := readGuardState(f, filepath.Base(dir))
	if err != nil {
		os.Exit(1)
	}
	// internal/nsexec's constructor (sandboxguard.c) has read the input
	// already and exited for "done"; anything else it put back on stdin.
	in, _ := io.ReadAll(os.Stdin)
	pid, done := parseGuardInput(string(in))
	if done && pid == 0 {
		_ = os.Remove(dir) // the emptied runtime directory, left to us
		os.Exit(0)
	}
	if pid == 0 {
		// lxc-sandbox died while a --keep monitor was starting.
		if b, err := os.ReadFile(filepath.Join(dir, "monitor.pid")); err == nil {
			pid, _ = strconv.Atoi(strings.TrimSpace(string(b)))
		}
	}
	if pid > 0 {
		waitPid(pid)
	}
	sb := &sandbox{id: st.ID, dir: dir, name: st.Name, lxcpath: st.LXCPath, named: st.Named}
	code := 0
	if err := sb.cleanup(); err != nil {
		code = 1
	}
	f.Close()
	os.Exit(code)
}

func readGuardState(f *os.File, id string) (guardState, error) {
	var st guardState
	b, err := io.ReadAll(f)
	if err == nil {
		err = json.Unmarshal(b, &st)
	}
	if err == nil && st.ID != id {
		err = fmt.Errorf("guard state of %q in %s", st.ID, id)
	}
	return st, err
}

// sweepStaleSandboxes cleans up after sandboxes whose lxc-sandbox and
// guard are both gone (a killed guard; a reboot where RUNDIR persists):
// nobody holds their guard.json lock.
func sweepStaleSandboxes() {
	ents, _ := os.ReadDir(sandboxTop())
	for _, e := range ents {
		if !isSandboxID(e.Name()) {
			continue
		}
		dir := filepath.Join(sandboxTop(), e.Name())
		f, err := os.Open(filepath.Join(dir, "guard.json"))
		if err != nil {
			removeOldEmpty(dir)
			continue
		}
		if unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) == nil {
			if st, err := readGuardState(f, e.Name()); err == nil {
				sb := &sandbox{id: st.ID, dir: dir, name: st.Name, lxcpath: st.LXCPath, named: st.Named}
				if err := sb.cleanup(); err != nil {
					log.Warnf("stale sandbox %s: %v", dir, err)
				}
			}
		}
		f.Close()
	}
}

// removeOldEmpty removes a sandbox runtime directory that a guard killed
// before its last step left empty (its rmdir after "done"). A minute old
// at least: a sandbox being made has an empty directory for a moment.
func removeOldEmpty(dir string) {
	if st, err := os.Stat(dir); err == nil && time.Since(st.ModTime()) > time.Minute {
		_ = unix.Rmdir(dir) // fails when not empty
	}
}

// waitPid returns when pid (not our child) has exited.
func waitPid(pid int) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return // already gone
	}
	defer unix.Close(fd)
	for {
		fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, -1); err == nil || !errors.Is(err, unix.EINTR) {
			return
		}
	}
}

// cleanup removes everything of the sandbox that is left, in the order
// that keeps it safe: processes and cgroups first, then mounts, and
// directories only where nothing is mounted below them any more.
func (sb *sandbox) cleanup() error {
	var errs []error
	// A monitor serving the name now is a newer sandbox of the same
	// name: its cgroups, lock and directory are not ours.
	// After our own monitor returned, its teardown removed its records
	// unless a step of it failed: then they are swept as a dead
	// monitor's (a named sandbox's name may be started again meanwhile).
	running := false
	if !sb.monitorDone || sb.named || monitor.LeftRecords(sb.lxcpath, sb.name) {
		running = errors.Is(monitor.SweepDead(sb.lxcpath, sb.name), monitor.ErrAlreadyRunning)
	}
	for _, mp := range mountsBelow(sb.dir) {
		if err := unix.Unmount(mp, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			errs = append(errs, fmt.Errorf("unmounting %s: %v", mp, err))
		}
	}
	if sb.named && !running {
		cdir := filepath.Join(sb.lxcpath, sb.name)
		if b, err := os.ReadFile(filepath.Join(cdir, "config")); err == nil &&
			strings.HasPrefix(string(b), "# lxc-sandbox "+sb.id+"\n") && len(mountsBelow(cdir)) == 0 {
			if err := os.RemoveAll(cdir); err != nil {
				errs = append(errs, err)
			}
		}
	}
	if !running {
		sb.removeLock()
	}
	if left := mountsBelow(sb.dir); len(left) > 0 {
		errs = append(errs, fmt.Errorf("still mounted, %s kept: %s", sb.dir, strings.Join(left, " ")))
	} else if sb.guardRemovesDir && sb.tmpfsDir {
		// Everything was on the tmpfs just unmounted: the empty mount
		// point is left to the guard, which removes it once it reads
		// "done", after lxc-sandbox returned (a directory's removal
		// waited 0.3-0.5 ms for a discard on a disk-backed RUNDIR).
	} else if err := os.RemoveAll(sb.dir); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sandbox cleanup: %v", err)
	}
	return nil
}

// hideInherited runs start with the descriptors this process inherited
// (not close-on-exec: a caller's pipe) made close-on-exec, then restores
// them: the guard, which may outlive us with --keep, must not hold a
// caller's pipe open; the sandbox keeps what lxc-execute passes on.
func hideInherited(start func() error) error {
	ents, _ := os.ReadDir("/proc/self/fd")
	var hidden []int
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 {
			continue
		}
		flags, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC != 0 {
			continue
		}
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_SETFD, flags|unix.FD_CLOEXEC); err == nil {
			hidden = append(hidden, fd)
		}
	}
	err := start()
	for _, fd := range hidden {
		if flags, ferr := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); ferr == nil {
			unix.FcntlInt(uintptr(fd), unix.F_SETFD, flags&^unix.FD_CLOEXEC)
		}
	}
	return err
}

// removeLock removes the container's lock file, held (cleanup swept what
// a killed monitor, or a failed teardown, left first). Unlike lxc-destroy's, the
// directories stay: unnamed sandboxes share their lxcpath's (LXC never
// removes its lock directories either).
func (sb *sandbox) removeLock() {
	p := lock.Path(config.RuntimeDir(), sb.lxcpath, sb.name)
	if _, err := os.Stat(p); err != nil {
		return
	}
	l := lock.Container(config.RuntimeDir(), sb.lxcpath, sb.name)
	if ok, _ := l.TryLock(); !ok {
		return
	}
	_ = os.Remove(p)
	_ = l.Unlock()
}
