package pushreg

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
)

// Listener is one registered lxc-monitor socket. Records are read and
// handled under one lock, by Serve or Drain, so a caller that Drains
// before acting knows every record already queued has been handled.
type Listener struct {
	path string
	conn *net.UnixConn
	rc   syscall.RawConn
	uid  uint32

	mu sync.Mutex // held while reading and handling records

	closeOnce sync.Once
}

// Listen registers a listener for the container monitors of lxcpath.
func Listen(lxcpath string) (*Listener, error) {
	return listenIn(Dir(lxcpath))
}

func listenIn(dir string) (*Listener, error) {
	var lastErr error
	// Another lxc-monitor leaving may remove the empty directory between
	// our MkdirAll and bind; a name taken means try another one.
	for try := 0; try < 10; try++ {
		if err := makeDir(dir); err != nil {
			return nil, fmt.Errorf("creating the lxc-monitor registry %s: %w", dir, err)
		}
		if err := checkPrivate(dir); err != nil {
			return nil, fmt.Errorf("lxc-monitor registry: %w", err)
		}
		path := filepath.Join(dir, socketName())
		conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
		if err != nil {
			lastErr = err
			if errors.Is(err, unix.ENOENT) || errors.Is(err, unix.EADDRINUSE) {
				continue
			}
			break
		}
		l := &Listener{path: path, conn: conn, uid: uint32(os.Geteuid())}
		if l.rc, err = conn.SyscallConn(); err == nil {
			err = cmdsock.SetPassCred(l.rc)
		}
		if err != nil {
			l.Close()
			return nil, fmt.Errorf("lxc-monitor listener %s: %w", path, err)
		}
		log.Debugf("registered lxc-monitor listener %s", path)
		return l, nil
	}
	return nil, fmt.Errorf("binding an lxc-monitor listener in %s: %w", dir, lastErr)
}

// makeDir creates RUNDIR/lxc like LXC (0755: it holds other things) and
// the registry directories below it 0700.
func makeDir(dir string) error {
	monitors := filepath.Dir(dir)
	if err := os.MkdirAll(filepath.Dir(monitors), 0o755); err != nil {
		return err
	}
	for _, d := range []string{monitors, dir} {
		if err := os.Mkdir(d, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
			return err
		}
	}
	return nil
}

// socketName is PID-RANDOM: unique among live listeners without any
// clean-up of a dead process's socket that reused our pid.
func socketName() string {
	// math/rand/v2's generator is seeded from the kernel per process;
	// crypto/rand would pull all of crypto into every tool's start.
	return fmt.Sprintf("%d-%08x", os.Getpid(), rand.Uint32())
}

// Path is the listener's socket.
func (l *Listener) Path() string { return l.path }

// Serve hands every record to handle until Close; it returns net.ErrClosed
// then, or the error that broke the socket.
func (l *Listener) Serve(handle func(cmdsock.Msg)) error {
	var rerr error
	err := l.rc.Read(func(fd uintptr) bool {
		l.mu.Lock()
		defer l.mu.Unlock()
		rerr = l.drainFd(int(fd), handle)
		return !errors.Is(rerr, unix.EAGAIN)
	})
	if err != nil {
		return err
	}
	return rerr
}

// Drain handles the records queued now, without waiting for more.
func (l *Listener) Drain(handle func(cmdsock.Msg)) {
	_ = l.rc.Control(func(fd uintptr) {
		l.mu.Lock()
		defer l.mu.Unlock()
		_ = l.drainFd(int(fd), handle)
	})
}

// drainFd reads until the queue is empty (EAGAIN) or the socket fails.
// Called with l.mu held.
func (l *Listener) drainFd(fd int, handle func(cmdsock.Msg)) error {
	buf := make([]byte, cmdsock.MsgSize+1)
	oob := make([]byte, unix.CmsgSpace(unix.SizeofUcred))
	for {
		n, oobn, _, _, err := unix.Recvmsg(fd, buf, oob, unix.MSG_DONTWAIT|unix.MSG_CMSG_CLOEXEC)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return err
		}
		cred := senderCred(oob[:oobn])
		if cred == nil || (cred.Uid != 0 && cred.Uid != l.uid) {
			log.Warnf("dropped a record pushed to %s by %s: neither root nor uid %d", l.path, describeCred(cred), l.uid)
			continue
		}
		m, err := cmdsock.DecodeMsg(buf[:n])
		if err != nil {
			log.Warnf("dropped a %d-byte record pushed to %s by pid %d: %v", n, l.path, cred.Pid, err)
			continue
		}
		log.Tracef("record type %d value %d for '%s' pushed by pid %d", m.Type, m.Value, m.Name, cred.Pid)
		handle(m)
	}
}

func senderCred(oob []byte) *unix.Ucred {
	msgs, err := unix.ParseSocketControlMessage(oob)
	if err != nil {
		return nil
	}
	for i := range msgs {
		if c, err := unix.ParseUnixCredentials(&msgs[i]); err == nil {
			return c
		}
	}
	return nil
}

func describeCred(c *unix.Ucred) string {
	if c == nil {
		return "a sender without credentials"
	}
	return fmt.Sprintf("pid %d uid %d", c.Pid, c.Uid)
}

// Close unregisters: the socket goes, and the directory too if it was the
// last one.
func (l *Listener) Close() error {
	var err error
	l.closeOnce.Do(func() {
		err = l.conn.Close()
		if rerr := os.Remove(l.path); rerr != nil && !errors.Is(rerr, os.ErrNotExist) && err == nil {
			err = rerr
		}
		// Fail while others are registered; one registering meanwhile
		// retries (listenIn).
		if os.Remove(filepath.Dir(l.path)) == nil {
			_ = os.Remove(filepath.Dir(filepath.Dir(l.path)))
		}
		log.Debugf("unregistered lxc-monitor listener %s", l.path)
	})
	return err
}
