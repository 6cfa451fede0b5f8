package query

import (
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/cmdsock"
)

// A stop that finds init gone already (a shutdown won the race) returns
// once the monitor's teardown reached STOPPED, not while it is STOPPING:
// lxc-autostart -s -t reads the state right after.
func TestKillWaitsForTeardownAfterESRCH(t *testing.T) {
	lxcpath := t.TempDir()
	var srv *cmdsock.Server
	var stopped atomic.Bool
	h := cmdsock.HandlerFunc(func(req *cmdsock.Request) *cmdsock.Response {
		switch req.Cmd {
		case cmdsock.Stop:
			// The teardown ends a moment after the reply.
			go func() {
				time.Sleep(100 * time.Millisecond)
				stopped.Store(true)
				srv.NotifyState(cmdsock.STOPPED)
			}()
			return &cmdsock.Response{Ret: -int32(syscall.ESRCH)}
		case cmdsock.AddStateClient:
			state := cmdsock.STOPPING
			if stopped.Load() {
				state = cmdsock.STOPPED
			}
			return req.AnswerAddStateClient(state)
		}
		return &cmdsock.Response{Ret: -int32(syscall.ENOSYS)}
	})
	var err error
	srv, err = cmdsock.Listen(lxcpath, "c1", h)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if err := Kill(lxcpath, "c1"); err != nil {
		t.Fatalf("Kill: %v", err)
	}
	if !stopped.Load() {
		t.Fatal("Kill returned while the monitor was still STOPPING")
	}
}
