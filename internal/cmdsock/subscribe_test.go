package cmdsock

import (
	"errors"
	"os"
	"testing"
	"time"
)

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

// TestRebootClientHearsOnlyRunning: liblxc's reboot2 registers with 2 in
// the RUNNING slot alone while the container runs; it must hear RUNNING
// (after the reboot) and nothing before it, or LXC's lxc-stop -r fails on
// a STOPPING.
func TestRebootClientHearsOnlyRunning(t *testing.T) {
	f, lxcpath := serveFake(t, "w3")
	f.setState(RUNNING)
	c := dialFake(t, lxcpath, "w3")
	sub, err := c.SubscribeNext(RUNNING)
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	waitFor(t, func() bool { return f.srv.StateClients() == 1 })
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

// TestWaitEnterSkipsOtherRecords: the reboot wait ends at RUNNING, not at
// another record, and a hang-up before it is "stopped".
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
