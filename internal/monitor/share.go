package monitor

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/namespace"
	"github.com/golxc/golxc/internal/spawn"
)

// openShared opens the namespaces named by lxc.namespace.share.* (LXC's
// lxc_inherit_namespace). A value is
//
//   - a PID: that process's namespace;
//   - a container NAME in lxcpath, or DIR/NAME: its init's namespace, the
//     pid asked from its monitor over the command socket;
//   - an absolute path: a container directory /LXCPATH/NAME (as the man page
//     documents), else a namespace file such as /proc/PID/ns/net or
//     /run/netns/x (what LXC 5.0.2 actually does).
//
// Each error is one line naming the key. On error nothing stays open.
func openShared(lxcpath string, share map[string]string) (map[string]*os.File, error) {
	out := map[string]*os.File{}
	for _, ns := range namespace.All() {
		value, ok := share[ns.Name]
		if !ok {
			continue
		}
		f, err := openShare(lxcpath, ns.Name, value)
		if err != nil {
			closeFiles(out)
			return nil, fmt.Errorf("lxc.namespace.share.%s = %s: %w", ns.Name, value, err)
		}
		out[ns.Name] = f
	}
	return out, nil
}

func closeFiles(m map[string]*os.File) {
	for _, f := range m {
		f.Close()
	}
}

// sharedNS turns the opened files into spawn's form, in LXC's order.
func sharedNS(files map[string]*os.File, share map[string]string) []spawn.SharedNS {
	var out []spawn.SharedNS
	for _, ns := range namespace.All() {
		if _, ok := share[ns.Name]; ok && files[ns.Name] != nil {
			out = append(out, spawn.SharedNS{Flag: ns.Flag, File: files[ns.Name]})
		}
	}
	return out
}

func openShare(lxcpath, ns, value string) (*os.File, error) {
	if pid, err := strconv.Atoi(value); err == nil {
		if pid < 1 {
			return nil, fmt.Errorf("not a valid pid nor a container name")
		}
		return openProcessNS(pid, nil, ns)
	}
	if filepath.IsAbs(value) {
		if st, err := os.Stat(value); err == nil && st.IsDir() {
			return openContainerNS(filepath.Dir(value), filepath.Base(value), ns)
		}
		return openNSFile(value, ns)
	}
	if dir, name := filepath.Split(value); dir != "" {
		return openContainerNS(filepath.Clean(dir), name, ns)
	}
	return openContainerNS(lxcpath, value, ns)
}

// openContainerNS asks the container's monitor for its init (as a pidfd
// when it can, so a restarted container cannot swap the process).
func openContainerNS(lxcpath, name, ns string) (*os.File, error) {
	notRunning := fmt.Errorf("container %q is not running", name)
	if name == "" || name == "." || name == ".." {
		return nil, fmt.Errorf("not a valid pid nor a container name")
	}
	c, err := cmdsock.Dial(lxcpath, name)
	if err != nil {
		return nil, notRunning
	}
	defer c.Close()
	if st, err := c.State(); err != nil || st == cmdsock.STOPPED {
		return nil, notRunning
	}
	if pidfd, err := c.InitPidFD(); err == nil {
		defer pidfd.Close()
		pid, err := pidfdPid(pidfd)
		if err != nil || pid <= 0 {
			return nil, notRunning
		}
		return openProcessNS(pid, pidfd, ns)
	}
	pid, err := c.InitPID()
	if err != nil || pid <= 0 {
		return nil, notRunning
	}
	return openProcessNS(pid, nil, ns)
}

// openProcessNS opens /proc/PID/ns/<ns>; a live pidfd afterwards proves the
// pid was not recycled in between.
func openProcessNS(pid int, pidfd *os.File, ns string) (*os.File, error) {
	if pidfd == nil {
		fd, err := unix.PidfdOpen(pid, 0)
		switch {
		case errors.Is(err, unix.ESRCH):
			return nil, fmt.Errorf("no process %d", pid)
		case err == nil:
			pidfd = os.NewFile(uintptr(fd), "pidfd")
			defer pidfd.Close()
		case !errors.Is(err, unix.ENOSYS):
			return nil, fmt.Errorf("pidfd_open(%d): %w", pid, err)
		}
	}
	f, err := os.Open(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("no process %d (or no %s namespace support)", pid, ns)
	}
	if err != nil {
		return nil, err
	}
	if pidfd != nil {
		if err := unix.PidfdSendSignal(int(pidfd.Fd()), 0, nil, 0); err != nil {
			f.Close()
			return nil, fmt.Errorf("process %d exited while its %s namespace was opened", pid, ns)
		}
	}
	return f, nil
}

// openNSFile opens a namespace file and checks its type, so a wrong path
// fails here with a clear message rather than as EINVAL from setns.
func openNSFile(path, ns string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	typ, err := unix.IoctlRetInt(int(f.Fd()), unix.NS_GET_NSTYPE)
	if want, _ := namespace.ByName(ns); err != nil || uintptr(typ) != want.Flag {
		f.Close()
		return nil, fmt.Errorf("%s is not a %s namespace (want a container directory or a file like /proc/PID/ns/%s)", path, ns, ns)
	}
	return f, nil
}

// pidfdPid reads the pid a pidfd refers to from /proc/self/fdinfo (-1 once
// the process is gone).
func pidfdPid(pidfd *os.File) (int, error) {
	f, err := os.Open(fmt.Sprintf("/proc/self/fdinfo/%d", pidfd.Fd()))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "Pid:"); ok {
			return strconv.Atoi(strings.TrimSpace(v))
		}
	}
	return 0, errors.New("no Pid in pidfd fdinfo")
}

// shareError names the key when the namespace stage failed to join a
// shared namespace (e.g. a user namespace whose root is not mapped, or a
// host-owned namespace from inside a shared user namespace); else nil.
func shareError(err error, share map[string]string) error {
	var se *spawn.StageError
	if !errors.As(err, &se) {
		return nil
	}
	for _, ns := range namespace.All() {
		if se.Step == "setns(shared "+ns.Name+" namespace)" {
			return fmt.Errorf("lxc.namespace.share.%s = %s: join the namespace: %w", ns.Name, share[ns.Name], se.Errno)
		}
	}
	if _, ok := share["user"]; ok && strings.HasPrefix(se.Step, "setres") {
		return fmt.Errorf("lxc.namespace.share.user = %s: become root in the shared user namespace (%s): %w", share["user"], se.Step, se.Errno)
	}
	return nil
}
