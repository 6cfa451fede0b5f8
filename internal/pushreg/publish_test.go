package pushreg

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
)

// Publish reaches golxc's lxc-monitor listeners and LXC's monitor FIFO
// (read by lxc-monitord) with the same record.
func TestPublishReachesListenersAndFIFO(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root: the FIFO lives under /run/lxc")
	}
	lp := t.TempDir()
	l, err := Listen(lp)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	fifo := cmdsock.FIFOPath(lp)
	if err := os.MkdirAll(filepath.Dir(fifo), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// The FIFO and the directories made for it, up to /run/lxc.
		os.Remove(fifo)
		for d := filepath.Dir(fifo); d != filepath.Join(cmdsock.RunDir(), "lxc") && len(d) > 1; d = filepath.Dir(d) {
			if os.Remove(d) != nil {
				break
			}
		}
	})
	if err := unix.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	rfd, err := unix.Open(fifo, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(rfd)
	ch := collect(l)
	want := state("spf-pub", cmdsock.FROZEN)
	Publish(lp, want)
	if got := next(t, ch); got != want {
		t.Errorf("pushed %+v, want %+v", got, want)
	}
	buf := make([]byte, cmdsock.MsgSize)
	n, err := unix.Read(rfd, buf)
	if err != nil || n != cmdsock.MsgSize {
		t.Fatalf("FIFO: %d bytes, %v", n, err)
	}
	if got, err := cmdsock.DecodeMsg(buf); err != nil || got != want {
		t.Errorf("FIFO %+v %v, want %+v", got, err, want)
	}
}
