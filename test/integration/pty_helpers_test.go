package integration

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// ptyRun runs one of our tools on the slave side of a fresh pty pair (as
// its controlling terminal, all three std streams) and records what the
// master side reads.
type ptyRun struct {
	t      *testing.T
	master *os.File
	cmd    *exec.Cmd
	mu     sync.Mutex
	out    bytes.Buffer
	done   chan struct{}
}

func startPTY(t *testing.T, tool string, args ...string) *ptyRun {
	t.Helper()
	return startPTYTyped(t, "", tool, args...)
}

// startPTYTyped is startPTY with typed already waiting in the terminal's
// input queue (cooked mode) when the tool starts.
func startPTYTyped(t *testing.T, typed, tool string, args ...string) *ptyRun {
	t.Helper()
	return startPTYPath(t, typed, filepath.Join(binDir, tool), args...)
}

// startPTYPath is startPTYTyped for any program (LXC's own tools).
func startPTYPath(t *testing.T, typed, path string, args ...string) *ptyRun {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	unix.IoctlSetWinsize(int(s.Fd()), unix.TIOCSWINSZ, &unix.Winsize{Row: 40, Col: 100})
	if typed != "" {
		if _, err := m.Write([]byte(typed)); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(path, args...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s.Close()
	p := &ptyRun{t: t, master: m, cmd: cmd, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		buf := make([]byte, 4096)
		for {
			n, err := m.Read(buf)
			p.mu.Lock()
			p.out.Write(buf[:n])
			p.mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		m.Close()
	})
	return p
}

func (p *ptyRun) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

func (p *ptyRun) write(s string) {
	p.t.Helper()
	if _, err := p.master.Write([]byte(s)); err != nil {
		p.t.Fatal(err)
	}
}

// waitFor waits until the output contains s.
func (p *ptyRun) waitFor(s string) {
	p.t.Helper()
	for i := 0; i < 400; i++ {
		if strings.Contains(p.output(), s) {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	p.t.Fatalf("pty output never contained %q; got %q", s, p.output())
}

// waitForPoking is waitFor that writes poke every two seconds meanwhile:
// a getty that starts only after the console attached still answers an
// empty line with a fresh prompt.
func (p *ptyRun) waitForPoking(s, poke string) {
	p.t.Helper()
	for i := 0; i < 400; i++ {
		if strings.Contains(p.output(), s) {
			return
		}
		if i%80 == 0 {
			p.write(poke)
		}
		time.Sleep(25 * time.Millisecond)
	}
	p.t.Fatalf("pty output never contained %q; got %q", s, p.output())
}

// waitRaw waits until the tool put its terminal in raw mode: input typed
// before that is discarded (TCSAFLUSH, as LXC). TCGETS on a pty master
// reads the slave's settings.
func (p *ptyRun) waitRaw() {
	p.t.Helper()
	for i := 0; i < 400; i++ {
		if t, err := unix.IoctlGetTermios(int(p.master.Fd()), unix.TCGETS); err == nil && t.Lflag&unix.ICANON == 0 {
			return
		}
		time.Sleep(25 * time.Millisecond)
	}
	p.t.Fatalf("the terminal never went raw; output %q", p.output())
}

// wait returns the tool's exit code once the reader has what the tool
// wrote before it exited (the last bytes, e.g. the newline its exit
// handler writes, may still be in the pty when Wait returns).
func (p *ptyRun) wait() int {
	p.t.Helper()
	err := p.cmd.Wait()
	select {
	case <-p.done: // every holder of the slave closed it: all read
	case <-time.After(2 * time.Second): // a child of the tool keeps it open
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	if err != nil {
		p.t.Fatal(err)
	}
	return 0
}
