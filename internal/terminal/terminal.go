// Package terminal is the host side of lxc-attach's and lxc-console's
// terminals: raw mode, window sizes, and a proxy between the user's
// terminal and a pty multiplexer with LXC's escape sequence
// (<escape> q detaches, <escape><escape> sends the escape itself).
package terminal

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
	"golang.org/x/term"

	"github.com/golxc/golxc/internal/log"
)

// IsTerminal reports whether fd is a terminal.
func IsTerminal(fd int) bool { return term.IsTerminal(fd) }

// Raw puts fd into raw mode and returns the function that restores it.
// Like LXC (tcsetattr TCSAFLUSH), the switch discards input not read yet:
// what sat in the canonical line buffer would otherwise reach the
// container raw, e.g. the NUL that stands for an end-of-file typed (or
// sent by script(1) when its stdin ends) before the switch, which the
// container's pty then echoes as "^@".
func Raw(fd int) (restore func(), err error) {
	old, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return nil, fmt.Errorf("set the terminal (fd %d) to raw mode: %w", fd, err)
	}
	raw := *old
	MakeRaw(&raw)
	if err := unix.IoctlSetTermios(fd, unix.TCSETSF, &raw); err != nil {
		return nil, fmt.Errorf("set the terminal (fd %d) to raw mode: %w", fd, err)
	}
	log.Tracef("terminal: fd %d in raw mode, pending input flushed", fd)
	return func() { _ = unix.IoctlSetTermios(fd, unix.TCSETS, old) }, nil
}

// MakeRaw turns t into raw mode settings (cfmakeraw).
func MakeRaw(t *unix.Termios) {
	t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR | unix.ICRNL | unix.IXON
	t.Oflag &^= unix.OPOST
	t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
	t.Cflag &^= unix.CSIZE | unix.PARENB
	t.Cflag |= unix.CS8
	t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
}

// CopySize gives the terminal to the window size of from (a no-op when
// from is not a terminal).
func CopySize(from, to int) error {
	ws, err := unix.IoctlGetWinsize(from, unix.TIOCGWINSZ)
	if err != nil {
		return nil
	}
	return unix.IoctlSetWinsize(to, unix.TIOCSWINSZ, ws)
}

// FollowSize copies from's window size to to now and on every SIGWINCH
// until the returned stop function is called.
func FollowSize(from, to int) (stop func()) {
	_ = CopySize(from, to)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGWINCH)
	done := make(chan struct{})
	go func() {
		for {
			select {
			case <-ch:
				_ = CopySize(from, to)
			case <-done:
				return
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
	}
}

// ErrDetached is returned by Proxy.Run when the user typed <escape> q.
var ErrDetached = errors.New("detached by the escape sequence")

// EscapeByte turns lxc-console's -e argument ("a" or "^a") into the
// control character Ctrl+<letter>.
func EscapeByte(s string) (int, error) {
	if len(s) == 2 && s[0] == '^' {
		s = s[1:]
	}
	if len(s) != 1 {
		return 0, fmt.Errorf("invalid escape %q: use one letter, e.g. a for Ctrl+a", s)
	}
	c := s[0]
	switch {
	case c >= 'a' && c <= 'z':
		return int(c-'a') + 1, nil
	case c >= 'A' && c <= 'Z':
		return int(c-'A') + 1, nil
	}
	return 0, fmt.Errorf("invalid escape %q: use one letter, e.g. a for Ctrl+a", s)
}
