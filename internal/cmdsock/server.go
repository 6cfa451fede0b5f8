package cmdsock

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// ErrAlreadyRunning: another live process serves the container's command
// socket.
var ErrAlreadyRunning = errors.New("already running")

// Handler answers commands. Serve runs on the connection's goroutine;
// several may run at once. Returning nil sends no reply: the connection is
// closed (the client sees EOF) unless the handler called req.Keep, in which
// case it stays open silently (LXC's STOP does this until the monitor exits).
// Descriptors in a Response stay owned by the handler unless CloseFds is
// set; descriptors in req.Fds become the handler's.
type Handler interface {
	Serve(req *Request) *Response
}

// HandlerFunc adapts a function to Handler.
type HandlerFunc func(req *Request) *Response

// Serve calls f(req).
func (f HandlerFunc) Serve(req *Request) *Response { return f(req) }

// Request is one command. On the server Fds holds descriptors received with
// it (SECCOMP_NOTIFY_ADD_LISTENER); on the client Fds are sent with it.
type Request struct {
	Cmd Cmd
	// Value is the header's pointer slot, which carries the argument of
	// commands without payload (tty number, freeze timeout, state).
	Value int64
	Data  []byte
	Fds   []int
	Cred  unix.Ucred

	conn *serverConn
}

// Response is one answer. Ret is 0 or -errno (some commands put other
// values there: ADD_STATE_CLIENT echoes the state). Value is the header's
// pointer slot (state, init pid, clone flags, tty number).
type Response struct {
	Ret   int32
	Value int64
	Data  []byte
	Fds   []int
	// CloseFds makes the server close Fds once sent (descriptors opened
	// just for this reply); otherwise they stay the handler's.
	CloseFds bool
}

// Server serves one container's command socket.
type Server struct {
	name, lxcpath string
	handler       Handler
	ln            *net.UnixListener
	uid, gid      uint32

	mu           sync.Mutex
	closed       bool
	conns        map[*serverConn]struct{}
	stateClients map[*serverConn]StateSet
	wg           sync.WaitGroup
	requests     requestCounter
	pause        pauser // Quiesce (handover.go)
}

// Listen binds the container's abstract command socket and starts serving it
// with h. The name is taken while the socket is open and vanishes with it.
func Listen(lxcpath, name string, h Handler) (*Server, error) {
	addr := &net.UnixAddr{Name: "@" + SocketName(lxcpath, name)[1:], Net: "unix"}
	ln, err := net.ListenUnix("unix", addr)
	if err != nil {
		if errors.Is(err, unix.EADDRINUSE) {
			if probe, derr := net.DialUnix("unix", nil, addr); derr == nil {
				probe.Close()
				return nil, fmt.Errorf("command socket @%s: container %s is %w", addr.Name[1:], name, ErrAlreadyRunning)
			}
		}
		return nil, fmt.Errorf("command socket @%s: %w", addr.Name[1:], err)
	}
	return serve(ln, lxcpath, name, h), nil
}

// serve starts serving a bound listening socket (Listen's, or one Adopt
// inherited).
func serve(ln *net.UnixListener, lxcpath, name string, h Handler) *Server {
	if raw, err := ln.SyscallConn(); err == nil {
		_ = SetPassCred(raw) // inherited by accepted sockets; set again per connection
	}
	s := &Server{
		name: name, lxcpath: lxcpath, handler: h, ln: ln,
		uid: uint32(os.Getuid()), gid: uint32(os.Getgid()),
		conns:        map[*serverConn]struct{}{},
		stateClients: map[*serverConn]StateSet{},
	}
	s.wg.Add(1)
	go s.acceptLoop()
	return s
}

// Addr is the abstract socket name (leading NUL included).
func (s *Server) Addr() string { return SocketName(s.lxcpath, s.name) }

// Close stops accepting, hangs up every connection (held ones included, so
// a client waiting on STOP sees EOF) and waits for their goroutines and
// Keep callbacks. Do not call it from inside Handler.Serve.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.pause.stop() // a parked accept loop must see the close
	conns := make([]*serverConn, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	err := s.ln.Close()
	for _, c := range conns {
		c.hangup()
	}
	s.wg.Wait()
	return err
}

func (s *Server) acceptLoop() {
	defer s.wg.Done()
	for {
		c, err := s.ln.AcceptUnix()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			if s.pause.park() {
				continue
			}
			// EMFILE and friends: back off instead of spinning.
			time.Sleep(50 * time.Millisecond)
			continue
		}
		s.serveAccepted(c)
	}
}

// serveAccepted registers c and answers it on its own goroutine.
func (s *Server) serveAccepted(c *net.UnixConn) {
	if raw, err := c.SyscallConn(); err == nil {
		_ = SetPassCred(raw)
	}
	sc := &serverConn{c: c, srv: s}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		c.Close()
		return
	}
	s.conns[sc] = struct{}{}
	s.wg.Add(1)
	s.mu.Unlock()
	go s.serveConn(sc)
}

// serveConn answers requests until the connection is to be dropped. Like
// LXC it keeps reading on a held connection, so a client hang-up is noticed.
func (s *Server) serveConn(sc *serverConn) {
	defer s.wg.Done()
	defer s.drop(sc)
	for {
		req, ok := sc.readRequest()
		if !ok {
			return
		}
		s.requests.inc()
		resp := s.dispatch(req)
		if resp != nil {
			err := sc.send(resp)
			if resp.CloseFds {
				closeFds(resp.Fds)
			}
			if err != nil {
				return
			}
		}
		if !sc.isKept() {
			return
		}
	}
}

// dispatch answers GET_NAME and GET_LXCPATH itself (the server knows them)
// and hands everything else to the handler; a handler panic costs the
// connection, not the monitor.
func (s *Server) dispatch(req *Request) (resp *Response) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(os.Stderr, "cmdsock: handler for %s panicked: %v\n", req.Cmd, r)
			resp = nil
			req.conn.unkeep()
		}
	}()
	switch req.Cmd {
	case GetName:
		return &Response{Data: withNUL(s.name)}
	case GetLXCPath:
		return &Response{Data: withNUL(s.lxcpath)}
	case Batch:
		return s.batch(req)
	}
	return s.handler.Serve(req)
}

func (s *Server) drop(sc *serverConn) {
	s.mu.Lock()
	delete(s.conns, sc)
	delete(s.stateClients, sc)
	s.mu.Unlock()
	sc.hangup()
	sc.runOnClose()
}

// NotifyState sends st, as a struct lxc_msg, to every state client that asked
// for it, then hangs each of them up (one message per subscription, as LXC).
// Call it under the same lock that guards the state given to
// AnswerAddStateClient, so no transition falls between the two.
func (s *Server) NotifyState(st State) {
	msg, err := Msg{Type: MsgState, Name: s.name, Value: int32(st)}.Encode()
	if err != nil {
		return
	}
	s.mu.Lock()
	var targets []*serverConn
	for c, set := range s.stateClients {
		if set.Has(st) {
			targets = append(targets, c)
			delete(s.stateClients, c)
		}
	}
	s.mu.Unlock()
	for _, c := range targets {
		c.sendRaw(msg)
		c.hangup()
	}
}

// StateClients is the number of registered state clients.
func (s *Server) StateClients() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.stateClients)
}

// maxConsoleLogRequest bounds CONSOLE_LOG payloads, which LXC exempts from
// the usual cap but which are a fixed 24-byte struct in practice.
const maxConsoleLogRequest = 1 << 16

// serverConn is one accepted connection.
type serverConn struct {
	c   *net.UnixConn
	srv *Server

	mu      sync.Mutex
	kept    bool
	gone    bool
	onClose []func()
}

// readRequest reads and authorises one request. false means drop the
// connection (EOF, garbage, or a refused peer who was already told EPERM).
func (sc *serverConn) readRequest() (*Request, bool) {
	in, err := readHeader(sc.c)
	if err != nil {
		return nil, false
	}
	req := &Request{Cmd: Cmd(in.hdr.first), Value: in.hdr.value, Fds: in.fds, conn: sc}
	if in.cred != nil {
		req.Cred = *in.cred
	} else if uc, err := PeerCred(sc.c); err == nil {
		req.Cred = uc
	}
	// LXC's rule: root, or the server's own uid and gid; anyone else gets
	// -EPERM for every command and is hung up on.
	if req.Cred.Uid != 0 && (req.Cred.Uid != sc.srv.uid || req.Cred.Gid != sc.srv.gid) {
		closeFds(req.Fds)
		_ = sc.send(&Response{Ret: -int32(unix.EPERM)})
		return nil, false
	}
	limit := int32(dataMax)
	if req.Cmd.mayExceedDataMax() {
		limit = maxConsoleLogRequest
	}
	if in.hdr.datalen > limit {
		closeFds(req.Fds)
		return nil, false
	}
	if req.Data, err = readPayload(sc.c, in.hdr.datalen); err != nil {
		closeFds(req.Fds)
		return nil, false
	}
	if req.Cmd == SeccompNotifyAddListener {
		// The listener fd follows in its own one-byte message.
		extra, err := readFdMessage(sc.c)
		if err != nil {
			closeFds(req.Fds)
			return nil, false
		}
		req.Fds = append(req.Fds, extra...)
	}
	return req, true
}

// readFdMessage reads one message of a single dummy byte plus SCM_RIGHTS.
func readFdMessage(c *net.UnixConn) ([]int, error) {
	buf := make([]byte, 1)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred)+unix.CmsgSpace(4*fdSpace))
	n, oobn, _, _, err := c.ReadMsgUnix(buf, oob)
	fds, _ := parseOOB(oob[:oobn])
	if err == nil && n == 0 {
		err = io.EOF
	}
	if err != nil {
		closeFds(fds)
		return nil, err
	}
	return fds, nil
}

func (sc *serverConn) send(r *Response) error {
	var oob []byte
	if len(r.Fds) > 0 {
		oob = unix.UnixRights(r.Fds...)
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.gone {
		return net.ErrClosed
	}
	return writeMsg(sc.c, header{first: r.Ret, datalen: int32(len(r.Data)), value: r.Value}, r.Data, oob)
}

func (sc *serverConn) sendRaw(b []byte) {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.gone {
		return
	}
	// A state client that stopped reading must not stall the monitor.
	_ = sc.c.SetWriteDeadline(time.Now().Add(time.Second))
	_, _ = sc.c.Write(b)
}

func (sc *serverConn) isKept() bool {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	return sc.kept
}

func (sc *serverConn) unkeep() {
	sc.mu.Lock()
	sc.kept = false
	sc.mu.Unlock()
}

// hangup closes the socket once; the reading goroutine then finishes.
func (sc *serverConn) hangup() {
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if !sc.gone {
		sc.gone = true
		sc.c.Close()
	}
}

func (sc *serverConn) runOnClose() {
	sc.mu.Lock()
	fns := sc.onClose
	sc.onClose = nil
	sc.mu.Unlock()
	for _, f := range fns {
		f()
	}
}

// Keep leaves the connection open after this request (LXC's "keep client
// fd"): the client holds a tty slot, a state subscription, or waits for EOF
// after STOP. onClose (may be nil) runs once when the connection ends: the
// client hung up, release was called, or the server closed. Only valid on
// requests received by a Server.
func (r *Request) Keep(onClose func()) (release func()) {
	sc := r.conn
	if sc == nil {
		return func() {}
	}
	sc.mu.Lock()
	sc.kept = true
	if onClose != nil {
		sc.onClose = append(sc.onClose, onClose)
	}
	sc.mu.Unlock()
	return sc.hangup
}

// PeerGone returns a check of whether the client has hung up, which knows
// it before the connection's reader has seen the EOF (a client that frees
// a tty and asks for it again at once must find it free, as with LXC).
func (r *Request) PeerGone() func() bool {
	sc := r.conn
	if sc == nil {
		return func() bool { return false }
	}
	return sc.peerGone
}

func (sc *serverConn) peerGone() bool {
	sc.mu.Lock()
	gone := sc.gone
	sc.mu.Unlock()
	if gone {
		return true
	}
	raw, err := sc.c.SyscallConn()
	if err != nil {
		return true
	}
	hup := false
	cerr := raw.Control(func(fd uintptr) {
		p := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLRDHUP}}
		if n, _ := unix.Poll(p, 0); n > 0 && p[0].Revents&(unix.POLLRDHUP|unix.POLLHUP|unix.POLLERR) != 0 {
			hup = true
		}
	})
	return hup || cerr != nil
}

// AnswerAddStateClient implements ADD_STATE_CLIENT the way LXC does, given
// the container's current state, and returns what Serve should return. If
// the client asked for current (its slot holds exactly 1) the answer carries
// current and nothing is registered; otherwise the connection becomes a
// state client, the answer carries MaxState, and a later NotifyState delivers
// the change. Either way the connection stays open until the client leaves.
// The reply is written here, before the registration becomes visible to
// NotifyState, so a state message can never overtake it. A malformed
// payload is answered with zeros and hung up.
func (r *Request) AnswerAddStateClient(current State) *Response {
	set, ok := DecodeStateSet(r.Data)
	sc := r.conn
	if !ok || sc == nil || !current.Valid() {
		return &Response{}
	}
	r.Keep(nil)
	answer := &Response{Ret: int32(current), Value: int64(current)}
	register := set[current] != 1
	if register {
		answer = &Response{Ret: int32(MaxState), Value: int64(MaxState)}
	}
	sc.mu.Lock()
	defer sc.mu.Unlock()
	if sc.gone {
		return nil
	}
	h := header{first: answer.Ret, value: answer.Value}
	if err := writeMsg(sc.c, h, nil, nil); err != nil {
		return nil
	}
	if register {
		s := sc.srv
		s.mu.Lock()
		if !s.closed {
			s.stateClients[sc] = set
		}
		s.mu.Unlock()
	}
	return nil
}
