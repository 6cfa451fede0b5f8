package cmdsock

import (
	"errors"
	"os"
	"syscall"
	"testing"
	"time"
)

func nextMsg(t *testing.T, w *Watch) Msg {
	t.Helper()
	m, err := w.Next()
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return m
}

func TestWatcherStaysAndGetsExitStatus(t *testing.T) {
	f, lxcpath := serveFake(t, "w1")
	c := dialFake(t, lxcpath, "w1")
	w, err := c.Watch(false)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	// An LXC-style one-shot client registered alongside.
	once, err := c.Subscribe([]State{FREEZING, FROZEN})
	if err != nil {
		t.Fatal(err)
	}
	defer once.Close()
	waitFor(t, func() bool { return f.srv.StateClients() == 2 })

	f.setState(FREEZING)
	f.setState(FROZEN)
	f.srv.NotifyExit(3 << 8)
	f.setState(STOPPING)
	for _, want := range []Msg{
		{MsgState, "w1", int32(FREEZING)}, {MsgState, "w1", int32(FROZEN)},
		{MsgExitCode, "w1", 3 << 8}, {MsgState, "w1", int32(STOPPING)},
	} {
		if got := nextMsg(t, w); got != want {
			t.Fatalf("watcher got %+v, want %+v", got, want)
		}
	}
	// The plain client got FREEZING only and was hung up: LXC semantics,
	// and it never sees an exit record it would take for a state.
	if st, err := once.Wait(-1); err != nil || st != FREEZING {
		t.Fatalf("one-shot client got %v, %v", st, err)
	}
	if n := f.srv.StateClients(); n != 1 {
		t.Fatalf("%d state clients registered, want the watcher only", n)
	}
}

func TestWatcherReplaysTheBoot(t *testing.T) {
	f, lxcpath := serveFake(t, "w2")
	f.setState(STARTING)
	f.setState(RUNNING)
	c := dialFake(t, lxcpath, "w2")
	w, err := c.Watch(true)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	f.setState(STOPPING)
	for _, want := range []State{STARTING, RUNNING, STOPPING} {
		if got := nextMsg(t, w); got.Type != MsgState || State(got.Value) != want {
			t.Fatalf("watcher got %+v, want %v", got, want)
		}
	}
	// Without replay nothing from before the subscription shows.
	w2, err := c.Watch(false)
	if err != nil {
		t.Fatal(err)
	}
	defer w2.Close()
	f.setState(STOPPED)
	if got := nextMsg(t, w2); State(got.Value) != STOPPED {
		t.Fatalf("second watcher got %+v first", got)
	}
	// The server going away ends the watch (STOPPED was already seen).
	f.srv.Close()
	if m, err := w2.Next(); err == nil {
		t.Fatalf("Next after the server closed: %+v", m)
	}
}

func TestCgroupFDRoundTrip(t *testing.T) {
	in := CgroupFD{Layout: 1, Type: CgroupSuperMagic, FD: 32, Controller: "name=systemd"}
	b, err := in.Encode()
	if err != nil || len(b) != 80 {
		t.Fatalf("Encode: %d bytes, %v", len(b), err)
	}
	out, err := DecodeCgroupFD(b)
	if err != nil || out != in {
		t.Fatalf("round trip: %+v, %v", out, err)
	}
	if _, err := DecodeCgroupFD(b[:79]); err == nil {
		t.Fatal("short payload accepted")
	}
	if _, err := (CgroupFD{Controller: string(make([]byte, 64))}).Encode(); err == nil {
		t.Fatal("64-byte controller accepted")
	}
}

// TestRebootClientIsNoWatcher: liblxc's reboot2 registers with 2 in the
// RUNNING slot alone while the container runs; it must hear RUNNING (after
// the reboot) and nothing before it, or LXC's lxc-stop -r fails on the
// STOPPING a watcher would get first.
func TestRebootClientIsNoWatcher(t *testing.T) {
	f, lxcpath := serveFake(t, "w3")
	f.setState(RUNNING)
	c := dialFake(t, lxcpath, "w3")
	var set StateSet
	set[RUNNING] = 2
	if w, _ := set.isWatch(); w {
		t.Fatal("a set with 2 in one slot is taken for a watcher")
	}
	sub, err := c.SubscribeNext(RUNNING)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	waitFor(t, func() bool { return f.srv.StateClients() == 1 })
	f.srv.NotifyExit(int(syscall.SIGHUP))
	for _, st := range []State{STOPPING, STOPPED, STARTING, RUNNING} {
		f.setState(st)
	}
	// The raw record: exactly one, RUNNING, then the hang-up.
	got, err := sub.Wait(time.Second)
	if err != nil || got != RUNNING {
		t.Fatalf("reboot client got %v, %v; want RUNNING", got, err)
	}
	if n := f.srv.StateClients(); n != 0 {
		t.Fatalf("%d state clients still registered after RUNNING", n)
	}
}

// TestWaitEnterSkipsOtherRecords: against a watcher-style stream the
// reboot wait still ends at RUNNING, and a hang-up before it is "stopped".
func TestWaitEnterSkipsOtherRecords(t *testing.T) {
	f, lxcpath := serveFake(t, "w4")
	f.setState(RUNNING)
	c := dialFake(t, lxcpath, "w4")
	sub, err := c.SubscribeNext(RUNNING)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	waitFor(t, func() bool { return f.srv.StateClients() == 1 })
	f.setState(STOPPING)
	if err := sub.WaitEnter(RUNNING, 200*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("no RUNNING yet: err %v, want a timeout", err)
	}
	sub2, err := c.SubscribeNext(RUNNING)
	if err != nil {
		t.Fatal(err)
	}
	defer sub2.Close()
	waitFor(t, func() bool { return f.srv.StateClients() == 2 })
	f.srv.Close()
	if err := sub2.WaitEnter(RUNNING, 5*time.Second); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("monitor gone: err %v, want ErrNotRunning", err)
	}
}
