package cmdsock

import (
	"os"
	"sync"
	"testing"

	"golang.org/x/sys/unix"
)

// fakeContainer is a monitor stand-in: it owns a state, an init pid, a
// config, a tty backed by a pipe and a console ring buffer.
type fakeContainer struct {
	t   *testing.T
	srv *Server

	mu       sync.Mutex
	state    State
	pid      int
	config   map[string]string
	console  []byte
	stops    int
	stopped  chan struct{}
	freezeTO []int
	ttyFree  chan int // tty numbers whose connection ended
	ttyBusy  map[int]bool
	ttyRead  *os.File // test side of the tty pipe
	ttyWrite *os.File // sent to clients
	lastCred unix.Ucred
	notifyTo []State // SERVE_STATE_CLIENTS requests
	listener []int   // seccomp listener fds received
}

func newFake(t *testing.T) *fakeContainer {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close(); w.Close() })
	return &fakeContainer{
		t: t, state: RUNNING, pid: os.Getpid(),
		config:  map[string]string{"lxc.uts.name": "golxc-fake", "lxc.signal.stop": ""},
		stopped: make(chan struct{}, 16), ttyFree: make(chan int, 16),
		ttyBusy: map[int]bool{}, ttyRead: r, ttyWrite: w,
	}
}

func (f *fakeContainer) Serve(req *Request) *Response {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastCred = req.Cred
	switch req.Cmd {
	case GetState:
		return &Response{Value: int64(f.state)}
	case GetInitPID:
		return &Response{Value: int64(f.pid)}
	case GetCloneFlags:
		return &Response{Value: unix.CLONE_NEWNS | unix.CLONE_NEWPID}
	case GetConfigItem:
		v, ok := f.config[cString(req.Data)]
		if !ok || v == "" {
			return &Response{Ret: -1}
		}
		return &Response{Data: withNUL(v)}
	case GetCgroup, GetLimitCgroup:
		if len(req.Data) == 0 {
			return &Response{Data: withNUL("/lxc.payload.fake")}
		}
		return &Response{Data: withNUL("/lxc.payload.fake/" + cString(req.Data))}
	case Stop:
		f.stops++
		f.stopped <- struct{}{}
		req.Keep(nil) // answer by hanging up once "stopped"
		return nil
	case Freeze, Unfreeze:
		f.freezeTO = append(f.freezeTO, int(ptrInt(req.Value)))
		if req.Cmd == Freeze {
			f.state = FROZEN
		} else {
			f.state = RUNNING
		}
		return &Response{}
	case AddStateClient:
		return req.AnswerAddStateClient(f.state)
	case ServeStateClients:
		st := State(ptrInt(req.Value))
		f.notifyTo = append(f.notifyTo, st)
		f.srv.NotifyState(st)
		return &Response{}
	case GetTTYFD:
		num := int(ptrInt(req.Value))
		if num < 0 {
			num = 1
		}
		if f.ttyBusy[num] {
			return nil // busy: hang up without a reply, as LXC
		}
		f.ttyBusy[num] = true
		req.Keep(func() {
			f.mu.Lock()
			delete(f.ttyBusy, num)
			f.mu.Unlock()
			f.ttyFree <- num
		})
		return &Response{Value: int64(num), Fds: []int{int(f.ttyWrite.Fd())}}
	case GetInitPidFD:
		fd, err := unix.PidfdOpen(f.pid, 0)
		if err != nil {
			return &Response{Ret: -int32(unix.EBADF)}
		}
		return &Response{Fds: []int{fd}, CloseFds: true}
	case ConsoleLog:
		r, err := DecodeConsoleLogRequest(req.Data)
		if err != nil {
			return &Response{Ret: -int32(unix.EINVAL)}
		}
		if len(f.console) == 0 {
			return &Response{Ret: -int32(unix.ENODATA)}
		}
		out := f.console
		if r.ReadMax > 0 && r.ReadMax < uint64(len(out)) {
			out = out[:r.ReadMax]
		}
		if r.Clear {
			f.console = nil
		} else {
			f.console = f.console[len(out):]
		}
		if !r.Read {
			out = nil
		}
		return &Response{Data: append([]byte(nil), out...)}
	case SeccompNotifyAddListener:
		f.listener = append(f.listener, req.Fds...)
		return &Response{}
	case GetSystemdScope:
		return &Response{Ret: -int32(unix.ENOENT)}
	}
	return nil // unknown or unsupported: hang up, as LXC does
}

// setState changes the state and tells the state clients, under one lock.
func (f *fakeContainer) setState(st State) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.state = st
	f.srv.NotifyState(st)
}

// serveFake starts a server for a fake container in a fresh lxcpath.
func serveFake(t *testing.T, name string) (*fakeContainer, string) {
	t.Helper()
	lxcpath := t.TempDir()
	f := newFake(t)
	srv, err := Listen(lxcpath, name, f)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
	t.Cleanup(func() { srv.Close() })
	return f, lxcpath
}
