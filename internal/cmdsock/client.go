package cmdsock

import (
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// ErrNotRunning: nothing listens on the container's command socket, which is
// how LXC defines "stopped".
var ErrNotRunning = errors.New("container is not running")

// ErrNoReply: the server hung up without answering. For STOP that is the
// success signal; for most other commands it means the container went away
// or refused the request.
var ErrNoReply = errors.New("command socket closed without a reply")

// Client sends commands to one container's command socket. Like LXC it uses
// one connection per command.
type Client struct {
	addr *net.UnixAddr
	// spare is Dial's probe connection, kept for the first command: a
	// server starts reading a request only once one arrives, so an unused
	// connection costs it nothing, and one round trip less matters to
	// tools like lxc-info that send a few commands and exit.
	spare *net.UnixConn
	// noBatch: the server hung up on a Batch (an LXC monitor).
	noBatch bool
}

// Dial checks that the container's command socket is served (one probe
// connection, as LXC's lxc_try_cmd) and returns a client for it.
// ErrNotRunning when nothing listens.
func Dial(lxcpath, name string) (*Client, error) {
	return dialText(socketText(lxcpath, name, "command"))
}

// DialHashed addresses a socket by the hash LXC uses for over-long names
// (as seen in /proc/net/unix: "@lxc/HASH/command").
func DialHashed(hash string) (*Client, error) {
	return dialText(hashedText(hash, "command"))
}

func dialText(text string) (*Client, error) {
	c := &Client{addr: &net.UnixAddr{Name: "@" + text, Net: "unix"}}
	conn, err := c.connect()
	if err != nil {
		return nil, err
	}
	c.spare = conn
	return c, nil
}

// Close releases the probe connection if no command used it.
func (c *Client) Close() error {
	if c.spare != nil {
		c.spare.Close()
		c.spare = nil
	}
	return nil
}

func (c *Client) connect() (*net.UnixConn, error) {
	if conn := c.spare; conn != nil {
		c.spare = nil
		return conn, nil
	}
	conn, err := net.DialUnix("unix", nil, c.addr)
	if err != nil {
		log.Tracef("%v - Failed to connect command socket @%s", err, c.addr.Name[1:])
		if errors.Is(err, unix.ECONNREFUSED) || errors.Is(err, unix.ENOENT) {
			return nil, fmt.Errorf("command socket @%s: %w", c.addr.Name[1:], ErrNotRunning)
		}
		return nil, fmt.Errorf("command socket @%s: %w", c.addr.Name[1:], err)
	}
	return conn, nil
}

// Do sends req and returns the reply. ErrNoReply if the server hung up
// first; a refused request comes back as Ret == -EPERM.
func (c *Client) Do(req *Request) (*Response, error) {
	resp, conn, err := c.exchange(req)
	if conn != nil {
		conn.Close()
	}
	return resp, err
}

// exchange sends req and reads the reply, leaving the connection open for
// commands whose effect lives as long as it (tty slots, state clients).
func (c *Client) exchange(req *Request) (*Response, *net.UnixConn, error) {
	if c.spare != nil && req.Cmd.query() {
		resp, conn, err := c.exchangeOnce(req)
		// The probe connection may predate the server going away: ask
		// again on a fresh one, which reports ErrNotRunning if so. Only
		// queries: a command with an effect may have been carried out.
		if !errors.Is(err, ErrNoReply) {
			return resp, conn, err
		}
	}
	return c.exchangeOnce(req)
}

func (c *Client) exchangeOnce(req *Request) (*Response, *net.UnixConn, error) {
	conn, err := c.connect()
	if err != nil {
		return nil, nil, err
	}
	log.Tracef("Opened new command socket connection for command %q", req.Cmd)
	if err := sendRequest(conn, req); err != nil {
		conn.Close()
		if isConnGone(err) || errors.Is(err, unix.EPIPE) {
			return nil, nil, fmt.Errorf("%s: %w", req.Cmd, ErrNoReply)
		}
		return nil, nil, fmt.Errorf("%s: send: %w", req.Cmd, err)
	}
	resp, err := readResponse(conn, req.Cmd)
	if err != nil {
		conn.Close()
		log.Tracef("Command %q: %v", req.Cmd, err)
		return nil, nil, err
	}
	log.Debugf("Command %q received response", req.Cmd)
	return resp, conn, nil
}

func sendRequest(conn *net.UnixConn, req *Request) error {
	cred := unix.UnixCredentials(&unix.Ucred{
		Pid: int32(os.Getpid()), Uid: uint32(os.Getuid()), Gid: uint32(os.Getgid()),
	})
	h := header{first: int32(req.Cmd), datalen: int32(len(req.Data)), value: req.Value}
	if err := writeMsg(conn, h, req.Data, cred); err != nil {
		return err
	}
	if req.Cmd == SeccompNotifyAddListener && len(req.Fds) > 0 {
		_, _, err := conn.WriteMsgUnix([]byte{0}, unix.UnixRights(req.Fds...), nil)
		return err
	}
	return nil
}

func readResponse(conn *net.UnixConn, cmd Cmd) (*Response, error) {
	in, err := readHeader(conn)
	if err != nil {
		if isConnGone(err) {
			return nil, fmt.Errorf("%s: %w", cmd, ErrNoReply)
		}
		return nil, fmt.Errorf("%s: receive: %w", cmd, err)
	}
	resp := &Response{Ret: in.hdr.first, Value: in.hdr.value, Fds: in.fds}
	if in.hdr.datalen > dataMax && !cmd.mayExceedDataMax() {
		closeFds(resp.Fds)
		return nil, fmt.Errorf("%s: reply of %d bytes exceeds %d", cmd, in.hdr.datalen, dataMax)
	}
	if resp.Data, err = readPayload(conn, in.hdr.datalen); err != nil {
		closeFds(resp.Fds)
		return nil, fmt.Errorf("%s: reply data: %w", cmd, err)
	}
	return resp, nil
}

// errnoOf turns a negative Ret into an error.
func errnoOf(cmd Cmd, ret int32) error {
	if ret >= 0 {
		return nil
	}
	return fmt.Errorf("%s: %w", cmd, unix.Errno(-ret))
}

// State asks for the container state; a container nobody serves is STOPPED.
func (c *Client) State() (State, error) {
	resp, err := c.Do(&Request{Cmd: GetState})
	if errors.Is(err, ErrNotRunning) {
		return STOPPED, nil
	}
	if err != nil {
		return -1, err
	}
	return State(ptrInt(resp.Value)), nil
}

// InitPID is the container's init pid as the monitor sees it.
func (c *Client) InitPID() (int, error) {
	resp, err := c.Do(&Request{Cmd: GetInitPID})
	if err != nil {
		return -1, err
	}
	if resp.Ret < 0 {
		return -1, errnoOf(GetInitPID, resp.Ret)
	}
	pid := int(ptrInt(resp.Value))
	if pid < 0 {
		return -1, fmt.Errorf("%s: monitor reported pid %d", GetInitPID, pid)
	}
	return pid, nil
}

// CloneFlags are the namespace flags the container was created with.
func (c *Client) CloneFlags() (int, error) {
	resp, err := c.Do(&Request{Cmd: GetCloneFlags})
	if err != nil {
		return -1, err
	}
	return int(ptrInt(resp.Value)), nil
}

// Stop asks the monitor to kill the container and waits until the monitor
// hangs up (LXC replies only on failure). Nothing serving counts as stopped.
func (c *Client) Stop() error {
	resp, err := c.Do(&Request{Cmd: Stop})
	switch {
	case errors.Is(err, ErrNoReply), errors.Is(err, ErrNotRunning):
		return nil
	case err != nil:
		return err
	case resp.Ret < 0:
		return errnoOf(Stop, resp.Ret)
	}
	return fmt.Errorf("%s: monitor answered %d instead of stopping", Stop, resp.Ret)
}

// Freeze asks the monitor to freeze the container (used by LXC only on a
// pure cgroup2 layout); timeout in seconds, -1 for none.
func (c *Client) Freeze(timeout int) error { return c.freezeCmd(Freeze, timeout) }

// Unfreeze is Freeze's counterpart.
func (c *Client) Unfreeze(timeout int) error { return c.freezeCmd(Unfreeze, timeout) }

func (c *Client) freezeCmd(cmd Cmd, timeout int) error {
	resp, err := c.Do(&Request{Cmd: cmd, Value: int64(timeout)})
	if err != nil {
		return err
	}
	return errnoOf(cmd, resp.Ret)
}

// ConfigItem is a config value of the running container.
func (c *Client) ConfigItem(key string) (string, error) {
	return c.stringCmd(GetConfigItem, withNUL(key))
}

// Cgroup is the container's cgroup path for controller ("" = unified).
func (c *Client) Cgroup(controller string) (string, error) {
	return c.stringCmd(GetCgroup, controllerData(controller))
}

// LimitCgroup is the limiting cgroup path for controller ("" = unified).
func (c *Client) LimitCgroup(controller string) (string, error) {
	return c.stringCmd(GetLimitCgroup, controllerData(controller))
}

func controllerData(controller string) []byte {
	if controller == "" {
		return nil
	}
	return withNUL(controller)
}

// Name is the container name (used to resolve hashed socket names).
func (c *Client) Name() (string, error) { return c.stringCmd(GetName, nil) }

// LXCPath is the container's lxcpath (used to resolve hashed socket names).
func (c *Client) LXCPath() (string, error) { return c.stringCmd(GetLXCPath, nil) }

// SystemdScope is the systemd scope the container runs in, if any.
func (c *Client) SystemdScope() (string, error) { return c.stringCmd(GetSystemdScope, nil) }

func (c *Client) stringCmd(cmd Cmd, data []byte) (string, error) {
	resp, err := c.Do(&Request{Cmd: cmd, Data: data})
	if err != nil {
		return "", err
	}
	if resp.Ret != 0 {
		if resp.Ret < 0 {
			return "", errnoOf(cmd, resp.Ret)
		}
		return "", fmt.Errorf("%s: monitor answered %d", cmd, resp.Ret)
	}
	return cString(resp.Data), nil
}

// ServeStateClients tells the monitor to announce st to its state clients.
func (c *Client) ServeStateClients(st State) error {
	resp, err := c.Do(&Request{Cmd: ServeStateClients, Value: int64(st)})
	if err != nil {
		return err
	}
	return errnoOf(ServeStateClients, resp.Ret)
}

// TerminalWinch is the obsolete SIGWINCH relay; LXC 5 monitors hang up on it.
func (c *Client) TerminalWinch() error {
	resp, err := c.Do(&Request{Cmd: TerminalWinch})
	if err != nil {
		return err
	}
	return errnoOf(TerminalWinch, resp.Ret)
}

// ConsoleLog reads and/or clears the console ring buffer.
func (c *Client) ConsoleLog(r ConsoleLogRequest) ([]byte, error) {
	resp, err := c.Do(&Request{Cmd: ConsoleLog, Data: r.Encode()})
	if err != nil {
		return nil, err
	}
	if resp.Ret < 0 {
		return nil, errnoOf(ConsoleLog, resp.Ret)
	}
	return resp.Data, nil
}

// fdCmd asks for a single descriptor (pidfd, devpts, cgroup2 ...).
func (c *Client) fdCmd(cmd Cmd) (*os.File, error) {
	resp, err := c.Do(&Request{Cmd: cmd})
	if err != nil {
		return nil, err
	}
	if resp.Ret < 0 || len(resp.Fds) == 0 {
		closeFds(resp.Fds)
		if resp.Ret < 0 {
			return nil, errnoOf(cmd, resp.Ret)
		}
		return nil, fmt.Errorf("%s: reply carried no descriptor", cmd)
	}
	closeFds(resp.Fds[1:])
	return os.NewFile(uintptr(resp.Fds[0]), cmd.String()), nil
}

// InitPidFD is a pidfd for the container's init.
func (c *Client) InitPidFD() (*os.File, error) { return c.fdCmd(GetInitPidFD) }

// DevptsFD is the container's devpts mount.
func (c *Client) DevptsFD() (*os.File, error) { return c.fdCmd(GetDevptsFD) }

// Cgroup2FD is the container's cgroup2 directory.
func (c *Client) Cgroup2FD() (*os.File, error) { return c.fdCmd(GetCgroup2FD) }

// LimitCgroup2FD is the container's limiting cgroup2 directory.
func (c *Client) LimitCgroup2FD() (*os.File, error) { return c.fdCmd(GetLimitCgroup2FD) }

// SeccompNotifyFD is the seccomp notify listener.
func (c *Client) SeccompNotifyFD() (*os.File, error) { return c.fdCmd(GetSeccompNotifyFD) }

// TTY is an allocated terminal: the slot is held while the connection that
// obtained it stays open.
type TTY struct {
	PTX  *os.File // the pty multiplexer side
	Num  int      // the tty number the monitor chose (0 = console)
	conn *net.UnixConn
}

// Close frees the slot.
func (t *TTY) Close() error {
	err := t.PTX.Close()
	t.conn.Close()
	return err
}

// Release hands the tty over as raw descriptors, for callers outside Go
// (liblxc's console_getfd): the multiplexer and the connection that holds
// the slot (closing it frees the tty), both close-on-exec. t is closed.
func (t *TTY) Release() (ptx, holder int, err error) {
	defer t.Close()
	ptx, err = unix.FcntlInt(t.PTX.Fd(), unix.F_DUPFD_CLOEXEC, 3)
	if err != nil {
		return -1, -1, err
	}
	raw, err := t.conn.SyscallConn()
	if err == nil {
		cerr := raw.Control(func(fd uintptr) { holder, err = unix.FcntlInt(fd, unix.F_DUPFD_CLOEXEC, 3) })
		if err == nil {
			err = cerr
		}
	}
	if err != nil {
		unix.Close(ptx)
		return -1, -1, err
	}
	return ptx, holder, nil
}

// TTYFD asks for tty ttynum (-1 = any free tty, 0 = the console).
func (c *Client) TTYFD(ttynum int) (*TTY, error) {
	resp, conn, err := c.exchange(&Request{Cmd: GetTTYFD, Value: int64(ttynum)})
	if errors.Is(err, ErrNoReply) {
		return nil, fmt.Errorf("tty number %d invalid, busy or all ttys busy", ttynum)
	}
	if err != nil {
		return nil, err
	}
	if resp.Ret < 0 || len(resp.Fds) == 0 {
		closeFds(resp.Fds)
		conn.Close()
		if resp.Ret < 0 {
			return nil, fmt.Errorf("denied access to tty: %w", unix.Errno(-resp.Ret))
		}
		return nil, fmt.Errorf("unable to allocate fd for tty %d", ttynum)
	}
	closeFds(resp.Fds[1:])
	num := int(ptrInt(resp.Value))
	return &TTY{PTX: os.NewFile(uintptr(resp.Fds[0]), fmt.Sprintf("tty%d", num)), Num: num, conn: conn}, nil
}

// WaitStates waits until the container is in one of states and returns it.
// timeout < 0 waits forever. When nothing serves the socket the container
// is STOPPED: that is success if STOPPED was asked for, else ErrNotRunning
// (lxc-wait then retries once a second).
func (c *Client) WaitStates(states []State, timeout time.Duration) (State, error) {
	sub, err := c.Subscribe(states)
	if err != nil {
		return -1, err
	}
	defer sub.Close()
	return sub.Wait(timeout)
}

// Subscription is a registered state client (ADD_STATE_CLIENT).
type Subscription struct {
	states []State
	now    State // < MaxState: already in a wanted state, nothing to wait for
	conn   *net.UnixConn
}

// Subscribe registers a state client for states. Registration is complete
// when it returns, so a transition caused afterwards cannot be missed.
func (c *Client) Subscribe(states []State) (*Subscription, error) {
	set := NewStateSet(states...)
	resp, conn, err := c.exchange(&Request{Cmd: AddStateClient, Data: EncodeStateSet(set)})
	if err != nil {
		if errors.Is(err, ErrNotRunning) && set.Has(STOPPED) {
			return &Subscription{states: states, now: STOPPED}, nil
		}
		return nil, err
	}
	sub := &Subscription{states: states, now: State(ptrInt(resp.Value)), conn: conn}
	if sub.now < 0 || sub.now > MaxState {
		sub.Close()
		return nil, fmt.Errorf("%s: monitor answered state %d", AddStateClient, sub.now)
	}
	return sub, nil
}

// SubscribeNext registers a state client that hears when the container
// next enters st, even when it is in st now: st's slot is 2, not 1, so the
// monitor registers it instead of answering with the current state. This
// is liblxc's reboot2 ("tell me when it runs again").
func (c *Client) SubscribeNext(st State) (*Subscription, error) {
	var set StateSet
	set[st] = 2
	resp, conn, err := c.exchange(&Request{Cmd: AddStateClient, Data: EncodeStateSet(set)})
	if err != nil {
		return nil, err
	}
	if now := State(ptrInt(resp.Value)); now != MaxState {
		conn.Close()
		return nil, fmt.Errorf("%s: monitor answered state %v instead of registering", AddStateClient, now)
	}
	return &Subscription{states: []State{st}, now: MaxState, conn: conn}, nil
}

// WaitEnter reads state records until one says st (timeout < 0: no limit);
// other records are skipped. A monitor that hangs up first means the
// container stopped (ErrNotRunning).
func (s *Subscription) WaitEnter(st State, timeout time.Duration) error {
	if s.conn == nil {
		return fmt.Errorf("waiting for %v: subscription closed", st)
	}
	if timeout >= 0 {
		_ = s.conn.SetReadDeadline(time.Now().Add(timeout))
	}
	buf := make([]byte, msgSize)
	for {
		n, err := readFull(s.conn, buf)
		switch {
		case err == nil:
			if msg, _ := DecodeMsg(buf); msg.Type == MsgState && State(msg.Value) == st {
				return nil
			}
		case errors.Is(err, os.ErrDeadlineExceeded):
			return fmt.Errorf("timed out waiting for %v: %w", st, err)
		case n == 0 && isConnGone(err):
			return fmt.Errorf("waiting for %v: container stopped: %w", st, ErrNotRunning)
		default:
			return fmt.Errorf("waiting for %v: %w", st, ErrNoReply)
		}
	}
}

// Wait returns the wanted state the container reached (timeout < 0: no limit).
func (s *Subscription) Wait(timeout time.Duration) (State, error) {
	if s.now < MaxState {
		return s.now, nil
	}
	if s.conn == nil {
		return -1, fmt.Errorf("waiting for %v: subscription closed", s.states)
	}
	if timeout >= 0 {
		_ = s.conn.SetReadDeadline(time.Now().Add(timeout))
	}
	buf := make([]byte, msgSize)
	n, err := readFull(s.conn, buf)
	switch {
	case err == nil:
		msg, _ := DecodeMsg(buf)
		return State(msg.Value), nil
	case errors.Is(err, os.ErrDeadlineExceeded):
		return -1, fmt.Errorf("timed out waiting for %v: %w", s.states, err)
	case n == 0 && isConnGone(err):
		// A real LXC 5.0.2 monitor sends nothing when it exits; it just
		// closes its state clients, and liblxc reads the zeroed message
		// as STOPPED. Do the same.
		if NewStateSet(s.states...).Has(STOPPED) {
			return STOPPED, nil
		}
		return STOPPED, fmt.Errorf("waiting for %v: container stopped: %w", s.states, ErrNotRunning)
	}
	return -1, fmt.Errorf("waiting for %v: %w", s.states, ErrNoReply)
}

// Close unregisters (the monitor notices the hang-up).
func (s *Subscription) Close() error {
	if s.conn == nil {
		return nil
	}
	err := s.conn.Close()
	s.conn = nil
	return err
}

func readFull(conn *net.UnixConn, b []byte) (int, error) {
	return io.ReadFull(conn, b)
}

// IsRunning reports whether something serves the container's command socket.
func IsRunning(lxcpath, name string) bool {
	c, err := Dial(lxcpath, name)
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// StateOf is the container state, STOPPED when nothing serves the socket.
func StateOf(lxcpath, name string) (State, error) {
	c, err := Dial(lxcpath, name)
	if errors.Is(err, ErrNotRunning) {
		return STOPPED, nil
	}
	if err != nil {
		return -1, err
	}
	defer c.Close()
	return c.State()
}
