package pushreg

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/cmdsock"
)

func testDir(t *testing.T) string {
	return dirIn(t.TempDir(), "/var/lib/lxc")
}

func listen(t *testing.T, dir string) *Listener {
	t.Helper()
	l, err := listenIn(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return l
}

// collect runs Serve and returns the records it got, in order.
func collect(l *Listener) <-chan cmdsock.Msg {
	ch := make(chan cmdsock.Msg, 1000)
	go l.Serve(func(m cmdsock.Msg) { ch <- m })
	return ch
}

func next(t *testing.T, ch <-chan cmdsock.Msg) cmdsock.Msg {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(30 * time.Second):
		t.Fatal("no record in 30 s")
	}
	return cmdsock.Msg{}
}

func state(name string, st cmdsock.State) cmdsock.Msg {
	return cmdsock.Msg{Type: cmdsock.MsgState, Name: name, Value: int32(st)}
}

func TestDirIsShortAndPerLXCPath(t *testing.T) {
	long := "/" + strings.Repeat("very-long-lxcpath/", 20)
	d := dirIn("/run", long)
	if len(d)+len("/4194304-0123abcd") >= 108 {
		t.Fatalf("%s does not leave room for a socket name in sun_path", d)
	}
	if dirIn("/run", "/tmp/x/") != dirIn("/run", "/tmp/x") || dirIn("/run", "/tmp/x") == dirIn("/run", "/tmp/y") {
		t.Fatal("one directory per cleaned lxcpath expected")
	}
}

func TestSendReachesEveryListenerInOrder(t *testing.T) {
	dir := testDir(t)
	a, b := collect(listen(t, dir)), collect(listen(t, dir))
	seq := []cmdsock.Msg{state("c1", cmdsock.STARTING), state("c1", cmdsock.RUNNING),
		{Type: cmdsock.MsgExitCode, Name: "c1", Value: 3 << 8}, state("c1", cmdsock.STOPPING), state("c1", cmdsock.STOPPED)}
	for _, m := range seq {
		sendIn(dir, m)
	}
	for _, ch := range []<-chan cmdsock.Msg{a, b} {
		for i, want := range seq {
			if got := next(t, ch); got != want {
				t.Fatalf("record %d: got %+v, want %+v", i, got, want)
			}
		}
	}
}

func TestCloseUnregisters(t *testing.T) {
	dir := testDir(t)
	l := listen(t, dir)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(l.Path()); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("socket left behind: %v", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("empty registry directory left behind: %v", err)
	}
	sendIn(dir, state("c1", cmdsock.RUNNING)) // nobody: no error, no directory
}

func TestSendRemovesStaleSockets(t *testing.T) {
	dir := testDir(t)
	live := collect(listen(t, dir))
	// A listener that died without unregistering: the file stays.
	stale := filepath.Join(dir, "1-dead")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: stale, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
	if _, err := os.Stat(stale); err != nil {
		t.Fatalf("setup: %v", err)
	}
	sendIn(dir, state("c1", cmdsock.RUNNING))
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stale socket not removed: %v", err)
	}
	if got := next(t, live); got != state("c1", cmdsock.RUNNING) {
		t.Fatalf("live listener got %+v", got)
	}
}

func TestSendDoesNotBlockOnAFullListener(t *testing.T) {
	dir := testDir(t)
	full := listen(t, dir) // never read until the end
	done := make(chan struct{})
	go func() {
		for i := 0; i < 500; i++ {
			sendIn(dir, state("c1", cmdsock.RUNNING))
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("Send blocked on a listener that does not read")
	}
	n := 0
	full.Drain(func(cmdsock.Msg) { n++ })
	if n == 0 || n >= 500 {
		t.Fatalf("the full listener kept %d of 500 records; want some, not all", n)
	}
	// Once drained it gets records again.
	sendIn(dir, state("c1", cmdsock.STOPPED))
	if got := next(t, collect(full)); got != state("c1", cmdsock.STOPPED) {
		t.Fatalf("got %+v after draining", got)
	}
}

func TestRegistryMustBePrivate(t *testing.T) {
	dir := testDir(t)
	l := collect(listen(t, dir))
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := listenIn(dir); err == nil {
		t.Fatal("registered in a directory others may enter")
	}
	sendIn(dir, state("c1", cmdsock.RUNNING)) // refused
	if err := os.Chmod(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	sendIn(dir, state("c1", cmdsock.STOPPED))
	if got := next(t, l); got != state("c1", cmdsock.STOPPED) {
		t.Fatalf("got %+v: a record was sent into a directory open to others", got)
	}
}

func TestRegistryOfAnotherUserIsRefused(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the directory away")
	}
	dir := testDir(t)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(dir, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if _, err := listenIn(dir); err == nil || !strings.Contains(err.Error(), "belongs to uid 65534") {
		t.Fatalf("listenIn in a directory of uid 65534: %v", err)
	}
}
