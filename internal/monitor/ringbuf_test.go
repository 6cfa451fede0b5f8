package monitor

import (
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
)

func TestRingBuffer(t *testing.T) {
	r := newRingBuffer(5)
	r.Write([]byte("ab"))
	if string(r.Bytes()) != "ab" {
		t.Fatalf("got %q", r.Bytes())
	}
	r.Write([]byte("cdefg"))
	if string(r.Bytes()) != "cdefg" {
		t.Fatalf("got %q", r.Bytes())
	}
	r.Write([]byte("h"))
	if string(r.Bytes()) != "defgh" {
		t.Fatalf("got %q", r.Bytes())
	}
	r.Write([]byte("0123456789"))
	if string(r.Bytes()) != "56789" {
		t.Fatalf("got %q", r.Bytes())
	}
	r.Clear()
	if len(r.Bytes()) != 0 {
		t.Fatal("not cleared")
	}
}

func TestRingBufferDiscard(t *testing.T) {
	r := newRingBuffer(4)
	r.Write([]byte("abcdef")) // holds cdef, start mid-buffer
	r.Discard(3)
	if string(r.Bytes()) != "f" {
		t.Fatalf("got %q", r.Bytes())
	}
	r.Write([]byte("ghi"))
	if string(r.Bytes()) != "fghi" {
		t.Fatalf("got %q", r.Bytes())
	}
	r.Discard(10)
	if len(r.Bytes()) != 0 {
		t.Fatalf("got %q", r.Bytes())
	}
	r.Write([]byte("xy"))
	if string(r.Bytes()) != "xy" {
		t.Fatalf("got %q", r.Bytes())
	}
}

// TestConsoleLogAnswer: LXC's CONSOLE_LOG rules (commands.c).
func TestConsoleLogAnswer(t *testing.T) {
	if _, e := consoleLogAnswer(nil, cmdsock.ConsoleLogRequest{Read: true}); e != unix.EFAULT {
		t.Fatalf("no ring: %v", e)
	}
	r := newRingBuffer(64)
	if _, e := consoleLogAnswer(r, cmdsock.ConsoleLogRequest{Read: true}); e != unix.ENODATA {
		t.Fatalf("empty ring: %v", e)
	}
	if out, e := consoleLogAnswer(r, cmdsock.ConsoleLogRequest{Clear: true}); e != 0 || out != nil {
		t.Fatalf("clear of an empty ring: %q %v", out, e)
	}
	r.Write([]byte("hello world"))
	out, e := consoleLogAnswer(r, cmdsock.ConsoleLogRequest{Read: true, ReadMax: 5})
	if e != 0 || string(out) != "hello" {
		t.Fatalf("read 5: %q %v", out, e)
	}
	out, e = consoleLogAnswer(r, cmdsock.ConsoleLogRequest{Read: true, ReadMax: 100})
	if e != 0 || string(out) != " world" {
		t.Fatalf("read the rest: %q %v", out, e)
	}
	r.Write([]byte("again"))
	out, e = consoleLogAnswer(r, cmdsock.ConsoleLogRequest{Read: true, Clear: true, ReadMax: 2})
	if e != 0 || string(out) != "ag" || len(r.Bytes()) != 0 {
		t.Fatalf("read and clear: %q %v, left %q", out, e, r.Bytes())
	}
}

// TestConsoleRingOnlyWithBufferSize: as in LXC, a console log file alone
// keeps no ring buffer (CONSOLE_LOG answers EFAULT); only
// lxc.console.buffer.size makes one, of that size.
func TestConsoleRingOnlyWithBufferSize(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name    string
		logfile string
		size    int
		want    int
	}{
		{"nothing", "", 0, 0},
		{"logfile only", filepath.Join(dir, "a.log"), 0, 0},
		{"buffer only", "", 4096, 4096},
		{"logfile and buffer", filepath.Join(dir, "b.log"), 8192, 8192},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := newConsole(tc.logfile, tc.size)
			if err != nil {
				t.Fatal(err)
			}
			defer c.close()
			got := 0
			if c.ring != nil {
				got = c.ring.size
			}
			if got != tc.want {
				t.Fatalf("newConsole(%q, %d): ring of %d bytes, want %d", tc.logfile, tc.size, got, tc.want)
			}
			_, e := consoleLogAnswer(c.ring, cmdsock.ConsoleLogRequest{Read: true, ReadMax: 10})
			if want := map[bool]unix.Errno{true: unix.EFAULT, false: unix.ENODATA}[tc.want == 0]; e != want {
				t.Fatalf("CONSOLE_LOG read: %v, want %v", e, want)
			}
		})
	}
}
