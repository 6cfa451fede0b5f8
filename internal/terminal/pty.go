package terminal

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// PTY is one pseudo-terminal pair.
type PTY struct {
	Master *os.File // the multiplexer side
	Peer   *os.File // the slave, named /dev/pts/Index
	Index  int      // N of pts/N on the pair's devpts instance
}

// Close releases both ends.
func (p *PTY) Close() {
	p.Peer.Close()
	p.Master.Close()
}

// OpenPTYAt allocates a pty pair from the multiplexer name, looked up
// relative to the directory dir (unix.AT_FDCWD for a path): "ptmx" in an
// open devpts directory, or "/dev/ptmx" for the host's. The slave is
// opened through the master (TIOCGPTPEER), so no path is looked up in
// anyone's mounts and it is always the master's own peer. Both are
// close-on-exec and never become a controlling terminal. flags adds open
// flags for the master: O_NOFOLLOW to refuse a symlink in a directory
// not trusted, O_NONBLOCK for a master read through the runtime poller.
func OpenPTYAt(dir int, name string, flags int) (*PTY, error) {
	ptx, n, err := OpenMasterAt(dir, name, flags)
	if err != nil {
		return nil, err
	}
	peer, err := openPeer(ptx, "/dev/pts/"+strconv.Itoa(n))
	if err != nil {
		ptx.Close()
		return nil, fmt.Errorf("open pts/%d: %w", n, err)
	}
	return &PTY{Master: ptx, Peer: peer, Index: n}, nil
}

// OpenMasterAt is OpenPTYAt without opening the slave, for a master that
// must block readers until someone opens the slave: once a slave was
// opened and closed, the master reads EIO instead.
func OpenMasterAt(dir int, name string, flags int) (ptx *os.File, index int, err error) {
	fd, err := unix.Openat(dir, name, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC|flags, 0)
	if err != nil {
		return nil, -1, fmt.Errorf("open %s: %w", name, err)
	}
	if err := checkMultiplexer(fd); err != nil {
		unix.Close(fd)
		return nil, -1, fmt.Errorf("%s: %w", name, err)
	}
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		unix.Close(fd)
		return nil, -1, fmt.Errorf("unlock the pty (TIOCSPTLCK): %w", err)
	}
	n, err := unix.IoctlGetUint32(fd, unix.TIOCGPTN)
	if err != nil {
		unix.Close(fd)
		return nil, -1, fmt.Errorf("pty number (TIOCGPTN): %w", err)
	}
	// NewFile sees O_NONBLOCK and then registers the master with the poller.
	return os.NewFile(uintptr(fd), name), int(n), nil
}

// checkMultiplexer refuses anything but the pty multiplexer (character
// device 5:2, on devtmpfs or devpts) before any ioctl reaches it: in a
// container's devpts, something else may be bind-mounted on ptmx.
func checkMultiplexer(fd int) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("fstat: %w", err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || unix.Major(st.Rdev) != 5 || unix.Minor(st.Rdev) != 2 {
		return fmt.Errorf("not the pty multiplexer (mode %#o, device %d:%d)", st.Mode, unix.Major(st.Rdev), unix.Minor(st.Rdev))
	}
	return nil
}

// OpenPeer opens one more slave of the pty master ptx.
func OpenPeer(ptx *os.File) (*os.File, error) { return openPeer(ptx, "pts-peer") }

// openPeer goes through SyscallConn, not Fd(): Fd() would switch a
// non-blocking master to blocking mode, and an idle reader would then
// hold a thread in read(2).
func openPeer(ptx *os.File, name string) (*os.File, error) {
	rc, err := ptx.SyscallConn()
	if err != nil {
		return nil, err
	}
	fd, ioErr := -1, error(nil)
	if err := rc.Control(func(m uintptr) { fd, ioErr = openPeerFD(int(m)) }); err != nil {
		return nil, err
	}
	if ioErr != nil {
		return nil, ioErr
	}
	return os.NewFile(uintptr(fd), name), nil
}

// openPeerFD opens the slave of the master ptx (TIOCGPTPEER: Linux 4.13),
// read-write, close-on-exec, never as a controlling terminal.
func openPeerFD(ptx int) (int, error) {
	r, _, e := unix.Syscall(unix.SYS_IOCTL, uintptr(ptx), unix.TIOCGPTPEER, unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC)
	if e != 0 {
		return -1, fmt.Errorf("TIOCGPTPEER: %w", e)
	}
	return int(r), nil
}
