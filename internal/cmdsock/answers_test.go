package cmdsock

import (
	"fmt"
	"net"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// TestAnswered: only nothing listening and a hang-up without a reply mean
// no monitor; a reply, a timeout or an unexpected failure mean one.
func TestAnswered(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{nil, true},
		{fmt.Errorf("read: %w", os.ErrDeadlineExceeded), true},
		{fmt.Errorf("dial: %w", unix.EAGAIN), true},
		{fmt.Errorf("dial: %w", unix.ECONNREFUSED), false},
		{fmt.Errorf("dial: %w", unix.ENOENT), false},
		{fmt.Errorf("%s: %w", GetState, ErrNoReply), false},
		{fmt.Errorf("send: %w", unix.EPIPE), false},
		{fmt.Errorf("send: %w", unix.ECONNRESET), false},
	} {
		if got := answered(c.err); got != c.want {
			t.Errorf("answered(%v) = %t, want %t", c.err, got, c.want)
		}
	}
}

// TestAnswersWhateverTheState: a monitor that answers STOPPED (it just
// claimed the container, or tears it down) or refuses the caller still
// answers; no listener, or one that hangs up unanswered, does not.
func TestAnswersWhateverTheState(t *testing.T) {
	lxcpath := t.TempDir()
	for _, c := range []struct {
		name string
		resp *Response
	}{
		{"stopped", &Response{Value: int64(STOPPED)}},
		{"refused", &Response{Ret: -int32(unix.EPERM)}},
	} {
		srv, err := Listen(lxcpath, c.name, HandlerFunc(func(*Request) *Response { return c.resp }))
		if err != nil {
			t.Fatal(err)
		}
		defer srv.Close()
		if !Answers(lxcpath, c.name) {
			t.Errorf("%s: a monitor that replies does not answer", c.name)
		}
	}
	if Answers(lxcpath, "none") {
		t.Error("nothing listens, yet it answers")
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: "@" + socketText(lxcpath, "hangup", "command"), Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	if Answers(lxcpath, "hangup") {
		t.Error("a listener that hangs up unanswered answers")
	}
}
