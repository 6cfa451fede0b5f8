package terminal

import (
	"errors"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// Proxy copies In to PTX and PTX to Out (and Log) until the pty side is
// gone, the user detaches, or Stop is called.
type Proxy struct {
	In  *os.File  // user input; nil: none
	Out io.Writer // where the pty's output goes
	Log io.Writer // optional copy of the output
	PTX *os.File  // pty multiplexer
	// Escape is the escape character (1 = Ctrl+a); 0 disables detaching.
	Escape int
	// EOFByte, if not 0, is written to PTX when In reaches end of file
	// (Ctrl-D, so a shell reading the pty sees the end of its input).
	EOFByte byte

	once    sync.Once
	stopR   *os.File
	stopW   *os.File
	sawEsc  bool
	inEOF   bool
	stopped bool
}

func (p *Proxy) init() error {
	var err error
	p.once.Do(func() { p.stopR, p.stopW, err = os.Pipe() })
	return err
}

// Stop makes Run drain what the pty still has buffered and return. Safe
// to call from another goroutine, before or during Run.
func (p *Proxy) Stop() {
	if p.init() == nil {
		p.stopW.Write([]byte{0})
	}
}

// Run proxies until the pty reports EOF/EIO (nil), the escape sequence
// (ErrDetached), or Stop (nil, after draining).
func (p *Proxy) Run() error {
	if err := p.init(); err != nil {
		return err
	}
	defer p.stopR.Close()
	defer p.stopW.Close()
	buf := make([]byte, 32*1024)
	ptx := int(p.PTX.Fd())
	for {
		fds := []unix.PollFd{{Fd: int32(ptx), Events: unix.POLLIN}}
		stopIdx, inIdx := -1, -1
		if !p.stopped {
			stopIdx = len(fds)
			fds = append(fds, unix.PollFd{Fd: int32(p.stopR.Fd()), Events: unix.POLLIN})
		}
		if p.In != nil && !p.inEOF {
			inIdx = len(fds)
			fds = append(fds, unix.PollFd{Fd: int32(p.In.Fd()), Events: unix.POLLIN})
		}
		timeout := -1
		if p.stopped {
			// The process is gone: whatever it wrote reaches the
			// multiplexer within moments; do not wait on helpers it
			// left holding the pty.
			timeout = 200
		}
		n, err := unix.Poll(fds, timeout)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if fds[0].Revents != 0 {
			m, rerr := unix.Read(ptx, buf)
			if m > 0 {
				p.Out.Write(buf[:m])
				if p.Log != nil {
					p.Log.Write(buf[:m])
				}
			}
			if m <= 0 && rerr != unix.EINTR && rerr != unix.EAGAIN {
				return nil // EIO: every slave is closed
			}
		}
		if stopIdx >= 0 && fds[stopIdx].Revents != 0 {
			p.stopped = true
			continue
		}
		if inIdx >= 0 && fds[inIdx].Revents != 0 {
			m, rerr := unix.Read(int(p.In.Fd()), buf)
			if m > 0 {
				if detach := p.forward(buf[:m]); detach {
					return ErrDetached
				}
			}
			if m == 0 || (rerr != nil && rerr != unix.EINTR && rerr != unix.EAGAIN) {
				p.inEOF = true
				if p.EOFByte != 0 {
					writeAll(p.PTX, []byte{p.EOFByte})
				}
			}
		}
	}
}

// forward writes input to the pty, handling the escape sequence; it
// reports whether the user asked to detach.
func (p *Proxy) forward(b []byte) bool {
	if p.Escape <= 0 {
		writeAll(p.PTX, b)
		return false
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if int(c) == p.Escape && !p.sawEsc {
			p.sawEsc = true
			continue
		}
		if c == 'q' && p.sawEsc {
			writeAll(p.PTX, out)
			return true
		}
		p.sawEsc = false
		out = append(out, c)
	}
	writeAll(p.PTX, out)
	return false
}

func writeAll(f *os.File, b []byte) {
	for len(b) > 0 {
		n, err := f.Write(b)
		if err != nil && !errors.Is(err, unix.EINTR) {
			return
		}
		b = b[n:]
	}
}
