package monitor

import (
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
