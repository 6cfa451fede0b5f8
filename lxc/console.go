package lxc

import (
	"errors"
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/terminal"
)

// TTY is a container terminal its monitor handed out (ConsoleGetFD): the
// slot stays the caller's until Close.
type TTY struct{ t *cmdsock.TTY }

// Num is the tty number the monitor chose (0 = the console).
func (t *TTY) Num() int { return t.t.Num }

// File is the pty multiplexer: what the container's tty shows is read
// from it, what is written to it is the tty's input.
func (t *TTY) File() *os.File { return t.t.PTX }

// Close frees the slot.
func (t *TTY) Close() error { return t.t.Close() }

// Release hands the terminal over as raw descriptors (C callers): the
// multiplexer and the connection holding the slot. t is closed.
func (t *TTY) Release() (ptx, holder int, err error) { return t.t.Release() }

// ConsoleGetFD asks the monitor for tty ttynum (-1: any free one, 0: the
// console), as liblxc's console_getfd.
func (c *Container) ConsoleGetFD(ttynum int) (*TTY, error) {
	cl, err := c.client()
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	t, err := cl.TTYFD(ttynum)
	if errors.Is(err, cmdsock.ErrNotRunning) {
		return nil, ErrNotRunning
	}
	if err != nil {
		return nil, err
	}
	log.Tracef("Alloced fd %d for tty %d", t.PTX.Fd(), t.Num)
	return &TTY{t: t}, nil
}

// ConsoleOptions are lxc_console's arguments.
type ConsoleOptions struct {
	Tty    int       // -1: any free tty, 0: the console
	Stdin  *os.File  // nil: os.Stdin
	Stdout io.Writer // nil: os.Stdout
	// Banner receives "Connected to tty N ..." (nil: os.Stderr, where
	// liblxc prints it); printed only with an escape character.
	Banner io.Writer
	// Escape is the escape character (1 = Ctrl+a): <Escape> q detaches.
	// Below 1 nothing detaches: the session ends with the tty.
	Escape int
}

// ErrConsoleStdin: the console input cannot be watched (a regular file or
// /dev/null, which epoll refuses; LXC fails the same way).
var ErrConsoleStdin = errors.New("Failed to add stdin handler")

// Console runs an interactive session on a container tty (lxc-console):
// the caller's terminal in raw mode, proxied to the tty until the escape
// sequence or until the tty goes away.
func (c *Container) Console(o ConsoleOptions) error {
	tty, err := c.ConsoleGetFD(o.Tty)
	if err != nil {
		return err
	}
	defer tty.Close()
	return tty.Session(o)
}

// Session runs Console's interactive part on t (o.Tty is not used).
func (t *TTY) Session(o ConsoleOptions) error {
	if o.Stdin == nil {
		o.Stdin = os.Stdin
	}
	if o.Stdout == nil {
		o.Stdout = os.Stdout
	}
	if o.Banner == nil {
		o.Banner = os.Stderr
	}
	in := int(o.Stdin.Fd())
	if !pollable(in) {
		return ErrConsoleStdin
	}
	if o.Escape >= 1 {
		// As LXC, before raw mode (so with CR LF).
		e := rune('a' + o.Escape - 1)
		fmt.Fprintf(o.Banner, "\nConnected to tty %d\nType <Ctrl+%c q> to exit the console, <Ctrl+%c Ctrl+%c> to enter Ctrl+%c itself\n",
			t.Num(), e, e, e, e)
	}
	if terminal.IsTerminal(in) {
		restore, err := terminal.Raw(in)
		if err != nil {
			return err
		}
		defer restore()
		defer terminal.FollowSize(in, int(t.File().Fd()))()
	}
	p := &terminal.Proxy{In: o.Stdin, Out: o.Stdout, PTX: t.File(), Escape: o.Escape}
	if err := p.Run(); err != nil && !errors.Is(err, terminal.ErrDetached) {
		return fmt.Errorf("console: %w", err)
	}
	return nil
}

// pollable reports whether epoll accepts fd (not a regular file or /dev/null).
func pollable(fd int) bool {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return true
	}
	defer unix.Close(ep)
	err = unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, fd, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(fd)})
	return err != unix.EPERM
}

// ConsoleLogOptions are go-lxc's: what CONSOLE_LOG does with the ring
// buffer (lxc.console.buffer.size).
type ConsoleLogOptions struct {
	ClearLog bool   // empty the buffer
	ReadLog  bool   // return its content (consumed unless ClearLog)
	ReadMax  uint64 // at most this much (0: all)
}

// ConsoleLog reads and/or clears the console ring buffer. Its errors
// carry LXC's errno: EFAULT when the container keeps no buffer, ENODATA
// when a read finds it empty, ErrNotRunning when no monitor answers.
func (c *Container) ConsoleLog(o ConsoleLogOptions) ([]byte, error) {
	cl, err := c.client()
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	b, err := cl.ConsoleLog(cmdsock.ConsoleLogRequest{Clear: o.ClearLog, Read: o.ReadLog, ReadMax: o.ReadMax})
	if errors.Is(err, cmdsock.ErrNotRunning) {
		return nil, ErrNotRunning
	}
	return b, err
}
