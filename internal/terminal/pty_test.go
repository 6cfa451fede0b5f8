package terminal

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

// The pair is connected, and the peer is pts/Index of the master's devpts.
func TestOpenPTYAtPair(t *testing.T) {
	p, err := OpenPTYAt(unix.AT_FDCWD, "/dev/ptmx", 0)
	if err != nil {
		t.Skip("no pty:", err)
	}
	defer p.Close()
	var st unix.Stat_t
	if err := unix.Fstat(int(p.Peer.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	// Unix98 slaves: majors 136-143, 256 minors each.
	if got := int(unix.Major(st.Rdev)-136)*256 + int(unix.Minor(st.Rdev)); got != p.Index {
		t.Errorf("peer is pts/%d, Index says %d", got, p.Index)
	}
	if want := "/dev/pts/" + strconv.Itoa(p.Index); p.Peer.Name() != want {
		t.Errorf("peer named %q, want %q", p.Peer.Name(), want)
	}
	if _, err := p.Peer.Write([]byte("x\n")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 16)
	if n, err := p.Master.Read(buf); err != nil || n == 0 || buf[0] != 'x' {
		t.Errorf("master read %q %v", buf[:n], err)
	}
	for _, f := range []*os.File{p.Master, p.Peer} {
		flags, err := unix.FcntlInt(f.Fd(), unix.F_GETFD, 0)
		if err != nil || flags&unix.FD_CLOEXEC == 0 {
			t.Errorf("%s: not close-on-exec (%#x, %v)", f.Name(), flags, err)
		}
	}
}

// O_NONBLOCK reaches the master (the monitor's console reads it through
// the poller); without it the master blocks.
func TestOpenPTYAtFlags(t *testing.T) {
	for _, nonblock := range []bool{false, true} {
		flags := 0
		if nonblock {
			flags = unix.O_NONBLOCK
		}
		p, err := OpenPTYAt(unix.AT_FDCWD, "/dev/ptmx", flags)
		if err != nil {
			t.Skip("no pty:", err)
		}
		rc, _ := p.Master.SyscallConn()
		var fl int
		_ = rc.Control(func(fd uintptr) { fl, _ = unix.FcntlInt(fd, unix.F_GETFL, 0) })
		if got := fl&unix.O_NONBLOCK != 0; got != nonblock {
			t.Errorf("flags %#x: master non-blocking %v, want %v", flags, got, nonblock)
		}
		p.Close()
	}
}

// Anything but the multiplexer is refused before an ioctl reaches it, and
// O_NOFOLLOW refuses a symlinked ptmx.
func TestOpenPTYAtRefuses(t *testing.T) {
	// Refused by the device check, not by a failing ioctl.
	if _, err := OpenPTYAt(unix.AT_FDCWD, "/dev/null", 0); err == nil || errors.Is(err, unix.ENOTTY) {
		t.Errorf("/dev/null: %v, want refused as not the multiplexer", err)
	}
	dir := t.TempDir()
	if err := os.Symlink("/dev/ptmx", filepath.Join(dir, "ptmx")); err != nil {
		t.Fatal(err)
	}
	d, err := unix.Open(dir, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(d)
	if _, err := OpenPTYAt(d, "ptmx", unix.O_NOFOLLOW); !errors.Is(err, unix.ELOOP) {
		t.Errorf("symlinked ptmx with O_NOFOLLOW: %v, want ELOOP", err)
	}
	p, err := OpenPTYAt(d, "ptmx", 0)
	if err != nil {
		t.Fatalf("symlinked ptmx without O_NOFOLLOW: %v", err)
	}
	p.Close()
}

// A master whose slave was never opened keeps readers waiting (the
// monitor's console pump relies on it before init opens the console);
// once a peer was opened and closed, it reports a hang-up.
func TestOpenMasterAtWaitsForSlave(t *testing.T) {
	m, _, err := OpenMasterAt(unix.AT_FDCWD, "/dev/ptmx", 0)
	if err != nil {
		t.Skip("no pty:", err)
	}
	defer m.Close()
	poll := func() int16 {
		fds := []unix.PollFd{{Fd: int32(m.Fd()), Events: unix.POLLIN}}
		if _, err := unix.Poll(fds, 50); err != nil {
			t.Fatal(err)
		}
		return fds[0].Revents
	}
	if ev := poll(); ev != 0 {
		t.Errorf("fresh master: revents %#x, want none", ev)
	}
	peer, err := OpenPeer(m)
	if err != nil {
		t.Fatal(err)
	}
	peer.Close()
	if ev := poll(); ev&unix.POLLHUP == 0 {
		t.Errorf("after the peer closed: revents %#x, want POLLHUP", ev)
	}
}
