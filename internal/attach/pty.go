package attach

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/terminal"
)

// devptsMagic is DEVPTS_SUPER_MAGIC.
const devptsMagic = 0x1cd1

// openContainerPTY allocates a pty on the container's own devpts, so a
// TIOCSTI from inside can only reach that pty, never the host terminal.
// devpts, when non-nil, is the devpts directory the monitor handed out
// (GET_DEVPTS_FD); otherwise the container's /dev/pts is found through
// /proc/PID/root, resolved inside that root, and checked to be a devpts.
func openContainerPTY(devpts *os.File, initPid, pidfd int) (ptx, pts *os.File, err error) {
	var dir int
	if devpts != nil {
		dir = int(devpts.Fd())
	} else {
		d, err := openPtsDir(initPid, pidfd)
		if err != nil {
			return nil, nil, err
		}
		defer unix.Close(d)
		dir = d
	}
	p, err := terminal.OpenPTYAt(dir, "ptmx", unix.O_NOFOLLOW)
	if err != nil {
		return nil, nil, fmt.Errorf("allocate a pty on the container's /dev/pts: %w", err)
	}
	if err := checkDevpts(int(p.Master.Fd())); err != nil {
		p.Close()
		return nil, nil, fmt.Errorf("the container's /dev/pts/ptmx: %w", err)
	}
	return p.Master, p.Peer, nil
}

// openPtsDir opens PID's /dev/pts with every path component resolved
// inside PID's root (no escape by symlink or "..").
func openPtsDir(pid, pidfd int) (int, error) {
	root, err := unix.Open("/proc/"+strconv.Itoa(pid)+"/root", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, fmt.Errorf("open the root of init %d: %w", pid, err)
	}
	defer unix.Close(root)
	// The pid could have been recycled between asking for it and opening
	// its root; a live pidfd proves it was not.
	if pidfd >= 0 {
		if err := unix.PidfdSendSignal(pidfd, 0, nil, 0); err != nil {
			return -1, fmt.Errorf("init %d exited while attaching: %w", pid, err)
		}
	}
	how := unix.OpenHow{
		Flags:   unix.O_PATH | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err := unix.Openat2(root, "dev/pts", &how)
	if err != nil {
		return -1, fmt.Errorf("open the container's /dev/pts: %w", err)
	}
	if err := checkDevpts(fd); err != nil {
		unix.Close(fd)
		return -1, fmt.Errorf("the container's /dev/pts: %w", err)
	}
	return fd, nil
}

func checkDevpts(fd int) error {
	var st unix.Statfs_t
	if err := unix.Fstatfs(fd, &st); err != nil {
		return err
	}
	if st.Type != devptsMagic {
		return fmt.Errorf("not a devpts file system (magic %#x)", st.Type)
	}
	return nil
}

// openHostPTY is the fallback when the container has no devpts of its own.
func openHostPTY() (ptx, pts *os.File, err error) {
	d, err := unix.Open("/dev/pts", unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open /dev/pts: %w", err)
	}
	f := os.NewFile(uintptr(d), "/dev/pts")
	defer f.Close()
	return openContainerPTY(f, 0, -1)
}
