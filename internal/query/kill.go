package query

import (
	"errors"
	"syscall"
	"time"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
)

// ErrNotRunning: no monitor answers, or it says the container is not
// running (lxc.ErrNotRunning to the lxc package's callers).
var ErrNotRunning = errors.New("container is not running")

// stopFailed is lxc.ErrStopFailed's text, which the -k path prints.
const stopFailed = "stopping the container failed"

// Kill asks the monitor of lxcpath/name to kill the container's init
// (lxc.signal.stop, SIGKILL by default). An init that already exited (a
// concurrent stop won) counts as done: the container is going down.
func Kill(lxcpath, name string) error {
	cl, err := cmdsock.Dial(lxcpath, name)
	if err != nil {
		return ErrNotRunning
	}
	defer cl.Close()
	log.Debugf("Asking the monitor of %q to kill its init (lxc.signal.stop)", name)
	if err := cl.Stop(); err != nil {
		if errors.Is(err, cmdsock.ErrNotRunning) {
			return ErrNotRunning
		}
		if errors.Is(err, syscall.ESRCH) {
			// init exited by itself meanwhile (a shutdown that won
			// the race against lxc-autostart -s -t's kill): the
			// monitor is tearing down. Return once it is STOPPED, as
			// after a kill of ours, which ends with the monitor.
			log.Debugf("The init of %q has exited already: waiting for its monitor's teardown", name)
			if !cmdsock.WaitAny(lxcpath, name, []cmdsock.State{cmdsock.STOPPED}, stoppedWait) {
				log.Debugf("%q not STOPPED after %v", name, stoppedWait)
			}
			return nil
		}
		return err
	}
	log.Infof("Container %q has stopped", name)
	return nil
}

// stoppedWait bounds the wait for a teardown already under way (ms
// normally; a frozen or stuck one must not hang the caller).
const stoppedWait = 30 * time.Second
