package cmdsock

import (
	"fmt"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"
)

// A monitor that hibernates (internal/monitor, hibernate.go) hands its
// listening socket to the C loop across an exec and takes it back, with
// at most one accepted, unread connection, when it wakes.

// ListenerFD returns a duplicate of the listening socket without
// FD_CLOEXEC, to survive an exec; the caller closes it.
func (s *Server) ListenerFD() (int, error) {
	raw, err := s.ln.SyscallConn()
	if err != nil {
		return -1, err
	}
	fd, derr := -1, error(nil)
	if err := raw.Control(func(u uintptr) { fd, derr = unix.FcntlInt(u, unix.F_DUPFD, 3) }); err != nil {
		return -1, err
	}
	return fd, derr
}

// Adopt serves the container's command socket from fd, an inherited
// listening socket (ListenerFD of the process before the exec). fd is
// consumed.
func Adopt(fd int, lxcpath, name string, h Handler) (*Server, error) {
	f := os.NewFile(uintptr(fd), "command socket")
	ln, err := net.FileListener(f)
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("command socket (fd %d): %w", fd, err)
	}
	ul, ok := ln.(*net.UnixListener)
	if !ok {
		ln.Close()
		return nil, fmt.Errorf("command socket (fd %d): not a unix socket", fd)
	}
	return serve(ul, lxcpath, name, h), nil
}

// ServeFD serves fd, a connection accepted before this process exec'd
// itself, whose request is still unread. fd is consumed.
func (s *Server) ServeFD(fd int) error {
	f := os.NewFile(uintptr(fd), "command connection")
	c, err := net.FileConn(f)
	f.Close()
	if err != nil {
		return err
	}
	uc, ok := c.(*net.UnixConn)
	if !ok {
		c.Close()
		return fmt.Errorf("command connection (fd %d): not a unix socket", fd)
	}
	s.serveAccepted(uc)
	return nil
}

// Idle reports that no connection is open: nothing is being answered, no
// client holds a tty, a descriptor, a stop or a state subscription.
func (s *Server) Idle() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns) == 0 && len(s.stateClients) == 0
}

// Requests is how many requests the server has read so far.
func (s *Server) Requests() uint64 { return s.requests.Load() }

// requestCounter counts requests read (Requests).
type requestCounter struct{ n atomic.Uint64 }

func (r *requestCounter) Load() uint64 { return r.n.Load() }
func (r *requestCounter) inc()         { r.n.Add(1) }

// Quiesce stops accepting connections (the socket stays bound: clients
// wait in its backlog) and reports whether none is open. Whatever it
// reports, the caller calls Unquiesce unless the process execs: a
// monitor about to hibernate must not exec with a request half answered.
func (s *Server) Quiesce() bool {
	parked := s.pause.start()
	_ = s.ln.SetDeadline(time.Unix(1, 0)) // the pending Accept returns now
	<-parked
	return s.Idle()
}

// Unquiesce accepts connections again.
func (s *Server) Unquiesce() {
	_ = s.ln.SetDeadline(time.Time{})
	s.pause.stop()
}

// pauser parks the accept loop between Quiesce and Unquiesce.
type pauser struct {
	mu     sync.Mutex
	on     bool
	parked chan struct{} // closed once the accept loop is parked
	resume chan struct{} // closed by stop
}

func (p *pauser) start() <-chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.on, p.parked, p.resume = true, make(chan struct{}), make(chan struct{})
	return p.parked
}

func (p *pauser) stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on {
		p.on = false
		close(p.resume)
	}
}

// park, called by the accept loop after an Accept error, waits while a
// Quiesce is on; false when none is (a real error).
func (p *pauser) park() bool {
	p.mu.Lock()
	if !p.on {
		p.mu.Unlock()
		return false
	}
	parked, resume := p.parked, p.resume
	select {
	case <-parked:
	default:
		close(parked)
	}
	p.mu.Unlock()
	<-resume
	return true
}
