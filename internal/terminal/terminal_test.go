package terminal

import (
	"bytes"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func TestEscapeByte(t *testing.T) {
	for in, want := range map[string]int{"a": 1, "^a": 1, "b": 2, "^B": 2, "z": 26} {
		if got, err := EscapeByte(in); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "ab", "^"} {
		if _, err := EscapeByte(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// openPair makes a real pty pair: the proxy's PTX is the master.
func openPair(t *testing.T) (master, slave *os.File) {
	t.Helper()
	p, err := OpenPTYAt(unix.AT_FDCWD, "/dev/ptmx", 0)
	if err != nil {
		t.Skip("no pty:", err)
	}
	m, s, fd := p.Master, p.Peer, int(p.Peer.Fd())
	tio, _ := unix.IoctlGetTermios(fd, unix.TCGETS)
	tio.Lflag &^= unix.ICANON | unix.ECHO
	tio.Oflag &^= unix.OPOST
	unix.IoctlSetTermios(fd, unix.TCSETS, tio)
	return m, s
}

func TestProxyEscape(t *testing.T) {
	master, slave := openPair(t)
	defer master.Close()
	defer slave.Close()
	inR, inW, _ := os.Pipe()
	defer inR.Close()
	var out bytes.Buffer
	p := &Proxy{In: inR, Out: &out, PTX: master, Escape: 1}
	// "x", Ctrl-a Ctrl-a (a literal Ctrl-a), Ctrl-a y (y alone), then Ctrl-a q.
	inW.Write([]byte("x\x01\x01\x01y\x01q"))
	if err := p.Run(); err != ErrDetached {
		t.Fatalf("Run: %v, want ErrDetached", err)
	}
	inW.Close()
	buf := make([]byte, 16)
	n, _ := slave.Read(buf)
	if got := string(buf[:n]); got != "x\x01y" {
		t.Fatalf("the pty got %q, want %q", got, "x\x01y")
	}
}

func TestProxyEndsWhenSlaveCloses(t *testing.T) {
	master, slave := openPair(t)
	defer master.Close()
	var out, log bytes.Buffer
	p := &Proxy{Out: &out, Log: &log, PTX: master}
	slave.Write([]byte("bye"))
	slave.Close()
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	if out.String() != "bye" || log.String() != "bye" {
		t.Fatalf("out %q log %q", out.String(), log.String())
	}
}
