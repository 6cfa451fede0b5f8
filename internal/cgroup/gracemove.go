package cgroup

import (
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// Every write to a cgroup.procs file (v1 or v2) takes the kernel's global
// cgroup_threadgroup_rwsem for writing, which waits for a full RCU grace
// period (about 10-20 ms) when no such write happened within the last one
// or two grace periods, and holds cgroup_mutex meanwhile, so that every
// other cgroup mkdir, rmdir and move on the machine waits as well. After a
// write the lock stays cheap for at least one more grace period. A start
// therefore pays one grace period for its first move and none for moves
// that follow it closely; moves spread over the setup pay it again.
//
// Move and StartGracePeriod let a caller start that grace period early, in
// the background, and cluster its later moves behind it. Only v1
// hierarchies matter: on a pure cgroup2 host the stage is cloned into its
// cgroup (CLONE_INTO_CGROUP) and nothing here is used.

// Move is a cgroup move running in a goroutine. Wait returns what the
// synchronous call would have returned; it may be called any number of
// times, from any goroutine, and on a nil *Move (nothing pending).
type Move struct {
	done chan struct{}
	err  error
}

func startMove(f func() error) *Move {
	m := &Move{done: make(chan struct{})}
	go func() {
		m.err = f()
		close(m.done)
	}()
	return m
}

// Wait blocks until the move is done and returns its error.
func (m *Move) Wait() error {
	if m == nil {
		return nil
	}
	<-m.done
	return m.err
}

// HasLegacy reports whether the layout has a cgroup v1 hierarchy, the
// hierarchies a process must be moved into by a write to cgroup.procs.
func (l *Layout) HasLegacy() bool {
	for _, h := range l.Hierarchies {
		if !h.Unified {
			return true
		}
	}
	return false
}

// StartEnterMonitor is EnterMonitor(pid) in the background: the monitor
// process's first move starts the grace period while the caller goes on
// with work that needs no cgroup lock (a cgroup mkdir or move waits for
// it). Until Wait returned, only c's read-only accessors (Name, Paths,
// AllDirs) may be called: nothing that creates, moves or removes.
func (c *Container) StartEnterMonitor(pid int) *Move {
	log.Tracef("Moving monitor (%d) into its cgroups in the background", pid)
	return startMove(func() error { return c.EnterMonitor(pid) })
}

// StartGracePeriod starts the grace period of the first v1 move in the
// background, when the caller will move something into a v1 hierarchy but
// has nothing to move yet: it moves the calling process into the cgroup it
// already is in (l.SelfPath) in the first v1 hierarchy whose cgroup.procs
// it may write, which changes nothing but enters the lock. (A pid that does
// not exist would not do: the kernel looks it up before taking the lock.)
// It returns nil when there is no such hierarchy (pure cgroup2, or a user
// without a writable v1 cgroup); failures are logged at TRACE only, the
// real moves report their own.
func StartGracePeriod(l *Layout) *Move {
	if l == nil {
		return nil
	}
	for _, h := range l.Hierarchies {
		if h.Unified || h.SelfPath == "" {
			continue
		}
		procs := filepath.Join(h.Dir(h.SelfPath), "cgroup.procs")
		if l.Euid != 0 && unix.Access(procs, unix.W_OK) != nil {
			continue
		}
		pid := os.Getpid()
		log.Tracef("Moving process %d into its own cgroup %s to start the cgroup lock's grace period early", pid, h.Dir(h.SelfPath))
		return startMove(func() error {
			err := writeFile(procs, strconv.Itoa(pid))
			if err != nil {
				log.Tracef("Did not start the cgroup lock's grace period early: %v", err)
			}
			return nil
		})
	}
	return nil
}

// CreateMonitorDirs is CreateMonitor without the move: it creates
// lxc.monitor.NAME (or NAME-1 ... NAME-999) in every hierarchy; EnterMonitor
// or StartEnterMonitor moves the monitor in.
func (c *Container) CreateMonitorDirs() error { return c.createMonitorDirs() }
