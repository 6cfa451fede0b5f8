package monitor

import (
	"sync"
	"time"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
)

// thawPause is how often a killed container is thawed again until its
// init is gone: a task of the container that still runs could freeze
// the cgroup again between the thaw and the kill landing.
const thawPause = 50 * time.Millisecond

// killer makes sure a kill lands on a frozen container: a queued SIGKILL
// does nothing to a frozen task (v1 freezer), so the payload is thawed,
// sub-cgroups included, until init has exited. LXC thaws after its stop
// signal too. One loop per boot, however many stops race.
type killer struct {
	once    sync.Once
	started chan struct{} // closed when the first kill began
	ended   chan struct{} // closed when the thaw loop returned
}

func newKiller() *killer {
	return &killer{started: make(chan struct{}), ended: make(chan struct{})}
}

// waitThawed waits for the thaw loop, once init has exited, so that it
// neither writes a cgroup the teardown removes nor loses its last log
// line to the monitor's exit. No loop started: nothing to wait for.
func (k *killer) waitThawed() {
	if k.begun() {
		<-k.ended
	}
}

// begun reports whether the container is being killed: a freeze that
// completes after that must not be reported as FROZEN.
func (k *killer) begun() bool {
	select {
	case <-k.started:
		return true
	default:
		return false
	}
}

// thawUntilExit starts (once) the loop that thaws in's payload until its
// init has exited.
func (m *monitor) thawUntilExit(in *instance) {
	if in.cg == nil || in.proc == nil {
		return
	}
	in.kill.once.Do(func() {
		close(in.kill.started)
		log.Tracef("Thawing the container's cgroups until init %d exits", in.pid)
		go func() {
			defer close(in.kill.ended)
			for {
				if err := in.cg.cg.ThawAll(); err != nil {
					log.Debugf("Failed to thaw the killed container: %v", err)
				}
				select {
				case <-in.proc.done:
					log.Tracef("Init %d exited: stopped thawing the container's cgroups", in.pid)
					return
				case <-time.After(thawPause):
				}
			}
		}()
	})
}

// killInit SIGKILLs init and thaws the payload so the kill lands.
func (m *monitor) killInit(in *instance) {
	if in.proc == nil {
		return
	}
	log.Debugf("Killing init %d (SIGKILL)", in.pid)
	in.proc.kill()
	m.thawUntilExit(in)
}

// liveState is the state to report: the monitor's own, except that a
// RUNNING container found frozen in the kernel is FROZEN (its root froze
// its own cgroup, or someone wrote the freezer file directly) and a FROZEN
// one found thawed is RUNNING again. Only the two steady states are
// corrected; FREEZING, STARTING, STOPPING... are the monitor's own steps.
func (m *monitor) liveState(st cmdsock.State, in *instance) cmdsock.State {
	if (st != cmdsock.RUNNING && st != cmdsock.FROZEN) || in == nil || in.cg == nil || in.cg.cg == nil {
		return st
	}
	if in.kill.begun() {
		return st
	}
	fs, err := in.cg.cg.FreezeState()
	if err != nil {
		return st
	}
	live := stateFromFreezer(st, fs)
	if live != st {
		log.Tracef("The kernel's freezer says %v: reporting %q instead of %q", fs, live, st)
	}
	return live
}

// stateFromFreezer corrects a steady state with the kernel's freezer state.
func stateFromFreezer(st cmdsock.State, fs cgroup.FreezeState) cmdsock.State {
	switch {
	case st == cmdsock.RUNNING && fs == cgroup.Frozen:
		return cmdsock.FROZEN
	case st == cmdsock.FROZEN && fs == cgroup.Thawed:
		return cmdsock.RUNNING
	}
	return st
}
