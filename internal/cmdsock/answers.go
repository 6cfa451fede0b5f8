package cmdsock

import (
	"errors"
	"net"
	"os"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// answerWait bounds how long Answers waits for a reply. A hibernating
// monitor wakes to answer (its C loop accepts, the Go monitor execs back
// and replies), which takes well under this.
const answerWait = 5 * time.Second

// Answers reports whether a monitor serves the container's command socket:
// it accepts a GET_STATE and replies, whatever the reply says (STOPPED
// while it claims the container or tears it down, -EPERM for a caller of
// another uid). Code that would clean up after a dead monitor (sweeps,
// destroy, rename) asks this, not the state: a monitor that answers owns
// the container's lock files, cgroups and devices. A connection kept
// unanswered past answerWait counts as answered (a busy monitor is not a
// dead one).
func Answers(lxcpath, name string) bool {
	text := socketText(lxcpath, name, "command")
	conn, err := net.DialUnix("unix", nil, &net.UnixAddr{Name: "@" + text, Net: "unix"})
	if err != nil {
		log.Tracef("%v - Failed to connect command socket @%s", err, text)
		return answered(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(answerWait))
	if err = sendRequest(conn, &Request{Cmd: GetState}); err == nil {
		var resp *Response
		if resp, err = readResponse(conn, GetState); err == nil {
			closeFds(resp.Fds)
		}
	}
	ok := answered(err)
	log.Tracef("Command socket @%s answers: %t (%v)", text, ok, err)
	return ok
}

// answered decides from the outcome of a GET_STATE exchange whether a
// monitor serves the socket: nothing listening, and a hang-up without a
// reply (a server closing down), mean no; a reply, a timeout or any other
// failure (a full backlog, EAGAIN) mean a live listener.
func answered(err error) bool {
	switch {
	case err == nil:
		return true
	case errors.Is(err, os.ErrDeadlineExceeded):
		return true
	case errors.Is(err, unix.ECONNREFUSED), errors.Is(err, unix.ENOENT), errors.Is(err, ErrNotRunning):
		return false
	case isConnGone(err), errors.Is(err, unix.EPIPE), errors.Is(err, ErrNoReply):
		return false
	}
	return true
}
