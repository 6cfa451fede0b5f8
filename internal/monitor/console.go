package monitor

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/terminal"
)

// pty is one pseudo-terminal pair: the console (allocated here on the
// host's devpts, its slave path bind-mounted at /dev/console) or a tty
// (allocated by the init stage on the container's devpts; no host path).
type pty struct {
	master    *os.File
	slavePath string // host path; console only
	// held keeps a tty's slave open in the monitor, as LXC does: with no
	// slave open the master reads EIO, and lxc-console would quit at once
	// when it attaches before the container's getty opened the tty or
	// while getty respawns.
	held *os.File
}

// close releases both ends.
func (p *pty) close() {
	if p.held != nil {
		p.held.Close()
	}
	p.master.Close()
}

// hostPTY allocates a pair on the host's devpts. The master is
// non-blocking, so every idle console waits in the runtime poller rather
// than holding a thread in read(2).
func hostPTY() (*terminal.PTY, error) {
	p, err := terminal.OpenPTYAt(unix.AT_FDCWD, "/dev/ptmx", unix.O_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("allocate a pty: %w", err)
	}
	return p, nil
}

// openPTY allocates the console pty without opening its slave: that is
// opened by path for each boot, and until then the pump's read blocks
// (once a slave was closed it reads EIO instead, and the pump naps).
func openPTY() (*pty, error) {
	m, n, err := terminal.OpenMasterAt(unix.AT_FDCWD, "/dev/ptmx", unix.O_NONBLOCK)
	if err != nil {
		return nil, fmt.Errorf("allocate a pty: %w", err)
	}
	return &pty{master: m, slavePath: fmt.Sprintf("/dev/pts/%d", n)}, nil
}

// openPeer opens the slave through the master (TIOCGPTPEER), which works
// whichever devpts instance the pair lives on.
func (p *pty) openPeer() (*os.File, error) { return terminal.OpenPeer(p.master) }

func (p *pty) openSlave() (*os.File, error) {
	f, err := os.OpenFile(p.slavePath, os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil && os.Geteuid() != 0 {
		// A user's console belongs to the container's root by now
		// (chownTerminals): the master still opens its peer.
		return p.openPeer()
	}
	return f, err
}

// console owns the container console pty. One goroutine always drains the
// master (a console nobody reads would block the container once the pty
// buffer fills) into the ring buffer, the log file and the attached peer:
// a console client's proxy pty or, in the foreground, our terminal.
type console struct {
	pty  *pty
	ring *ringBuffer
	log  *os.File
	wg   sync.WaitGroup
	// closing ends the pump's EIO back-off at once: teardown waits for
	// the pump, and a 50 ms nap there delayed every STOPPED.
	closing chan struct{}

	mu   sync.Mutex
	peer io.Writer
	busy bool
}

// consoleLogMode is what LXC creates console log files with.
const consoleLogMode = 0o600

// consoleRingSize decides the console ring buffer's size: LXC keeps one
// only when lxc.console.buffer.size is set (terminal.c allocates none for
// a zero size), whatever lxc.console.logfile says; 0 means no ring, and
// console_log then fails with EFAULT as liblxc's does.
func consoleRingSize(bufSize int) int { return max(bufSize, 0) }

func newConsole(logfile string, bufSize int) (*console, error) {
	p, err := openPTY()
	if err != nil {
		return nil, err
	}
	c := &console{pty: p, closing: make(chan struct{})}
	if logfile != "" {
		f, err := os.OpenFile(logfile, os.O_CREATE|os.O_WRONLY|os.O_APPEND|unix.O_CLOEXEC, consoleLogMode)
		if err != nil {
			p.master.Close()
			return nil, fmt.Errorf("lxc.console.logfile %s: %w", logfile, err)
		}
		c.log = f
	}
	if n := consoleRingSize(bufSize); n > 0 {
		c.ring = newRingBuffer(n)
		log.Tracef("Allocated %d byte terminal ringbuffer", n)
	} else {
		log.Tracef("No terminal ringbuffer: lxc.console.buffer.size is not set")
	}
	c.wg.Add(1)
	go c.pump()
	return c, nil
}

// pump runs until the master is closed.
func (c *console) pump() {
	defer c.wg.Done()
	buf := make([]byte, 4096)
	for {
		n, err := c.pty.master.Read(buf)
		if n > 0 {
			_, _ = c.ring.Write(buf[:n])
			if c.log != nil {
				_, _ = c.log.Write(buf[:n])
			}
			c.mu.Lock()
			if c.peer != nil {
				_, _ = c.peer.Write(buf[:n])
			}
			c.mu.Unlock()
		}
		if err != nil {
			if errors.Is(err, os.ErrClosed) {
				return
			}
			// EIO: no slave open right now (between boots); keep draining.
			if errors.Is(err, unix.EIO) {
				if !c.waitSlave() {
					return
				}
				continue
			}
			return
		}
	}
}

// waitSlave pauses while no slave is open (the master reads EIO at once
// then, and poll reports POLLHUP, so there is nothing to sleep on).
func (c *console) waitSlave() bool {
	t := time.NewTimer(50 * time.Millisecond)
	defer t.Stop()
	select {
	case <-c.closing:
		return false
	case <-t.C:
		return true
	}
}

// attach connects a console client: it gets the master of a fresh proxy
// pty; what it types reaches the console, console output reaches it.
func (c *console) attach() (*os.File, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.busy {
		return nil, unix.EBUSY
	}
	proxy, err := hostPTY()
	if err != nil {
		return nil, err
	}
	slave := proxy.Peer
	if t, err := unix.IoctlGetTermios(int(slave.Fd()), unix.TCGETS); err == nil {
		terminal.MakeRaw(t)
		_ = unix.IoctlSetTermios(int(slave.Fd()), unix.TCSETS, t)
	}
	c.busy, c.peer = true, slave
	go func() {
		_, _ = io.Copy(c.pty.master, slave)
		c.mu.Lock()
		c.busy, c.peer = false, nil
		c.mu.Unlock()
		slave.Close()
	}()
	return proxy.Master, nil
}

// setPeer makes console output also go to w (foreground terminal).
func (c *console) setPeer(w io.Writer) {
	c.mu.Lock()
	c.peer, c.busy = w, true
	c.mu.Unlock()
}

func (c *console) close() {
	if c == nil {
		return
	}
	close(c.closing)
	c.pty.master.Close()
	c.wg.Wait()
	c.mu.Lock()
	if f, ok := c.peer.(*os.File); ok && f != os.Stdout {
		f.Close()
	}
	c.peer = nil
	c.mu.Unlock()
	if c.log != nil {
		c.log.Close()
	}
}
