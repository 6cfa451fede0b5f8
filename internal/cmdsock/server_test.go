package cmdsock

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func dialFake(t *testing.T, lxcpath, name string) *Client {
	t.Helper()
	c, err := Dial(lxcpath, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func TestTypedHelpers(t *testing.T) {
	f, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")

	if st, err := c.State(); err != nil || st != RUNNING {
		t.Fatalf("State = %v, %v", st, err)
	}
	if pid, err := c.InitPID(); err != nil || pid != os.Getpid() {
		t.Fatalf("InitPID = %d, %v", pid, err)
	}
	if fl, err := c.CloneFlags(); err != nil || fl != unix.CLONE_NEWNS|unix.CLONE_NEWPID {
		t.Fatalf("CloneFlags = %x, %v", fl, err)
	}
	if v, err := c.ConfigItem("lxc.uts.name"); err != nil || v != "golxc-fake" {
		t.Fatalf("ConfigItem = %q, %v", v, err)
	}
	if _, err := c.ConfigItem("lxc.signal.stop"); err == nil {
		t.Fatal("empty config value must fail (LXC answers -1)")
	}
	if v, err := c.Cgroup("memory"); err != nil || v != "/lxc.payload.fake/memory" {
		t.Fatalf("Cgroup = %q, %v", v, err)
	}
	if v, err := c.LimitCgroup(""); err != nil || v != "/lxc.payload.fake" {
		t.Fatalf("LimitCgroup = %q, %v", v, err)
	}
	if v, err := c.Name(); err != nil || v != "c1" {
		t.Fatalf("Name = %q, %v", v, err)
	}
	if v, err := c.LXCPath(); err != nil || v != lxcpath {
		t.Fatalf("LXCPath = %q, %v", v, err)
	}
	if _, err := c.SystemdScope(); !errors.Is(err, unix.ENOENT) {
		t.Fatalf("SystemdScope err = %v", err)
	}
	if err := c.Freeze(7); err != nil {
		t.Fatal(err)
	}
	if st, _ := c.State(); st != FROZEN {
		t.Fatalf("after Freeze state = %v", st)
	}
	if err := c.Unfreeze(-1); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	to := append([]int(nil), f.freezeTO...)
	f.mu.Unlock()
	if len(to) != 2 || to[0] != 7 || to[1] != -1 {
		t.Fatalf("freeze timeouts seen: %v", to)
	}
	if err := c.TerminalWinch(); !errors.Is(err, ErrNoReply) {
		t.Fatalf("TerminalWinch on a monitor without it: %v", err)
	}
	f.mu.Lock()
	cred := f.lastCred
	f.mu.Unlock()
	if cred.Pid != int32(os.Getpid()) || cred.Uid != uint32(os.Getuid()) {
		t.Fatalf("server saw credentials %+v", cred)
	}
}

func TestStopHoldsUntilServerCloses(t *testing.T) {
	f, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")
	done := make(chan error, 1)
	go func() { done <- c.Stop() }()
	<-f.stopped
	select {
	case err := <-done:
		t.Fatalf("Stop returned before the monitor hung up: %v", err)
	default:
	}
	f.srv.Close()
	if err := <-done; err != nil {
		t.Fatalf("Stop: %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("Stop on a stopped container must succeed like LXC: %v", err)
	}
	if st, err := c.State(); err != nil || st != STOPPED {
		t.Fatalf("State after close = %v, %v", st, err)
	}
}

func TestNotRunning(t *testing.T) {
	lxcpath := t.TempDir()
	if _, err := Dial(lxcpath, "nope"); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("Dial: %v", err)
	}
	if IsRunning(lxcpath, "nope") {
		t.Fatal("IsRunning true with no server")
	}
	if st, err := StateOf(lxcpath, "nope"); err != nil || st != STOPPED {
		t.Fatalf("StateOf = %v, %v", st, err)
	}
}

func TestAlreadyRunning(t *testing.T) {
	_, lxcpath := serveFake(t, "c1")
	if !IsRunning(lxcpath, "c1") {
		t.Fatal("IsRunning false")
	}
	_, err := Listen(lxcpath, "c1", newFake(t))
	if !errors.Is(err, ErrAlreadyRunning) || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second Listen: %v", err)
	}
}

func TestStateClients(t *testing.T) {
	f, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")

	// Already in a wanted state: answered at once, nothing registered.
	if st, err := c.WaitStates([]State{RUNNING, STOPPED}, -1); err != nil || st != RUNNING {
		t.Fatalf("immediate wait = %v, %v", st, err)
	}

	type result struct {
		st  State
		err error
	}
	frozen := make(chan result, 1)
	stopped := make(chan result, 1)
	go func() { st, err := c.WaitStates([]State{FROZEN}, -1); frozen <- result{st, err} }()
	go func() { st, err := c.WaitStates([]State{STOPPED}, -1); stopped <- result{st, err} }()
	waitFor(t, func() bool { return f.srv.StateClients() == 2 })

	// FREEZING interests neither; FROZEN releases only the first.
	f.setState(FREEZING)
	f.setState(FROZEN)
	if r := <-frozen; r.err != nil || r.st != FROZEN {
		t.Fatalf("frozen waiter got %v, %v", r.st, r.err)
	}
	if n := f.srv.StateClients(); n != 1 {
		t.Fatalf("%d state clients left, want 1", n)
	}
	// SERVE_STATE_CLIENTS from a client reaches the rest.
	if err := c.ServeStateClients(STOPPED); err != nil {
		t.Fatal(err)
	}
	if r := <-stopped; r.err != nil || r.st != STOPPED {
		t.Fatalf("stopped waiter got %v, %v", r.st, r.err)
	}

	// A waiter that gives up is dropped from the list.
	if _, err := c.WaitStates([]State{ABORTING}, 0); err == nil {
		t.Fatal("zero timeout wait succeeded")
	}
	waitFor(t, func() bool { return f.srv.StateClients() == 0 })
}

func TestWaitStatesNotRunning(t *testing.T) {
	f, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")
	f.srv.Close()
	if st, err := c.WaitStates([]State{RUNNING, STOPPED}, 0); err != nil || st != STOPPED {
		t.Fatalf("got %v, %v", st, err)
	}
	if _, err := c.WaitStates([]State{RUNNING}, 0); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("got %v", err)
	}
}

func TestMalformedAddStateClient(t *testing.T) {
	_, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")
	resp, err := c.Do(&Request{Cmd: AddStateClient, Data: []byte{1, 2, 3}})
	if err != nil || resp.Ret != 0 || resp.Value != 0 {
		t.Fatalf("got %+v, %v", resp, err)
	}
}

func TestTTYFDPassing(t *testing.T) {
	f, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")
	tty, err := c.TTYFD(-1)
	if err != nil {
		t.Fatal(err)
	}
	if tty.Num != 1 {
		t.Fatalf("tty number %d", tty.Num)
	}
	if _, err := tty.PTX.Write([]byte("hi")); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 2)
	if _, err := f.ttyRead.Read(buf); err != nil || string(buf) != "hi" {
		t.Fatalf("read %q, %v", buf, err)
	}
	// The slot is held while the connection lives.
	if _, err := c.TTYFD(1); err == nil || !strings.Contains(err.Error(), "busy") {
		t.Fatalf("second TTYFD(1): %v", err)
	}
	tty.Close()
	if n := <-f.ttyFree; n != 1 {
		t.Fatalf("freed tty %d", n)
	}
	again, err := c.TTYFD(1)
	if err != nil {
		t.Fatal(err)
	}
	again.Close()
}

func TestInitPidFD(t *testing.T) {
	_, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")
	pidfd, err := c.InitPidFD()
	if errors.Is(err, unix.EBADF) {
		t.Skip("kernel without pidfd_open")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer pidfd.Close()
	// Signal 0 through the pidfd proves it names this process.
	if err := unix.PidfdSendSignal(int(pidfd.Fd()), 0, nil, 0); err != nil {
		t.Fatalf("pidfd_send_signal: %v", err)
	}
}

func TestSeccompListenerFdIsReceived(t *testing.T) {
	f, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	resp, err := c.Do(&Request{Cmd: SeccompNotifyAddListener, Value: int64(w.Fd()), Fds: []int{int(w.Fd())}})
	if err != nil || resp.Ret != 0 {
		t.Fatalf("%+v %v", resp, err)
	}
	f.mu.Lock()
	fds := f.listener
	f.mu.Unlock()
	if len(fds) != 1 {
		t.Fatalf("server received %d fds", len(fds))
	}
	got := os.NewFile(uintptr(fds[0]), "listener")
	defer got.Close()
	if _, err := got.Write([]byte("x")); err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 1)
	if _, err := r.Read(b); err != nil || b[0] != 'x' {
		t.Fatalf("read %q %v", b, err)
	}
}

func TestConsoleLog(t *testing.T) {
	f, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")
	f.mu.Lock()
	f.console = []byte("hello console")
	f.mu.Unlock()
	got, err := c.ConsoleLog(ConsoleLogRequest{Read: true, ReadMax: 5})
	if err != nil || string(got) != "hello" {
		t.Fatalf("%q %v", got, err)
	}
	got, err = c.ConsoleLog(ConsoleLogRequest{Read: true, Clear: true})
	if err != nil || string(got) != " console" {
		t.Fatalf("%q %v", got, err)
	}
	if _, err := c.ConsoleLog(ConsoleLogRequest{Read: true}); !errors.Is(err, unix.ENODATA) {
		t.Fatalf("empty ring: %v", err)
	}
}

func TestOversizedRequestIsDropped(t *testing.T) {
	_, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")
	_, err := c.Do(&Request{Cmd: GetConfigItem, Data: make([]byte, dataMax+1)})
	if !errors.Is(err, ErrNoReply) {
		t.Fatalf("got %v", err)
	}
}

func TestHandlerPanicCostsOnlyTheConnection(t *testing.T) {
	lxcpath := t.TempDir()
	srv, err := Listen(lxcpath, "p", HandlerFunc(func(r *Request) *Response {
		if r.Cmd == Stop {
			panic("boom")
		}
		return &Response{Value: int64(RUNNING)}
	}))
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	c := dialFake(t, lxcpath, "p")
	if _, err := c.Do(&Request{Cmd: Stop}); !errors.Is(err, ErrNoReply) {
		t.Fatalf("got %v", err)
	}
	if st, err := c.State(); err != nil || st != RUNNING {
		t.Fatalf("server unusable after panic: %v %v", st, err)
	}
}

func TestNoFdLeak(t *testing.T) {
	f, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")
	warm := func() {
		c.State()
		if tty, err := c.TTYFD(2); err == nil {
			tty.Close()
			<-f.ttyFree
		}
	}
	warm()
	before := countFds(t)
	for i := 0; i < 200; i++ {
		switch i % 5 {
		case 0:
			if _, err := c.State(); err != nil {
				t.Fatal(err)
			}
		case 1:
			if _, err := c.ConfigItem("lxc.uts.name"); err != nil {
				t.Fatal(err)
			}
		case 2:
			tty, err := c.TTYFD(2)
			if err != nil {
				t.Fatal(err)
			}
			tty.Close()
			<-f.ttyFree
		case 3:
			if pidfd, err := c.InitPidFD(); err == nil {
				pidfd.Close()
			}
		case 4:
			if _, err := c.WaitStates([]State{RUNNING}, -1); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Server goroutines close their side after the client; wait for that.
	var after int
	waitFor(t, func() bool { after = countFds(t); return after <= before })
	// Fewer is not a leak: a descriptor of an earlier test (a server
	// goroutine still finishing) may close during the loop.
	if after > before {
		t.Fatalf("fds before %d, after %d", before, after)
	}
}

func countFds(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

// waitFor polls cond: the server side finishes asynchronously. It does not
// assert on time; a stuck condition fails through the test timeout message.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for i := 0; i < 5000; i++ {
		if cond() {
			return
		}
		time.Sleep(2 * time.Millisecond)
	}
	t.Fatal("condition never became true")
}
