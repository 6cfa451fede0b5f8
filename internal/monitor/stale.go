package monitor

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/lock"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/network"
)

// A monitor notes the cgroups of each boot in a record that its teardown
// removes. A record still present when the container is started again
// means the monitor died without tearing down (SIGKILL, OOM killer): the
// new monitor, holding the container lock, kills what still runs there
// (an init whose parent-death signal a setuid exec cleared, e.g. busybox
// init) and removes those cgroups before creating its own.
func staleRecordPath(lxcpath, name string) string {
	return filepath.Join(runDir(), "golxc", "cgroups", config.RecordName(filepath.Join(lxcpath, name)))
}

// legacyRecordPath is where golxc before flat records kept one
// (RUNDIR/golxc/cgroups/LXCPATH/NAME): a monitor killed before an upgrade
// left its record there, and the sweep still reads it.
func legacyRecordPath(lxcpath, name string) string {
	return filepath.Join(runDir(), "golxc", "cgroups", lxcpath, name)
}

// leftRecord is the record a monitor of lxcpath/name left, "" if none.
func leftRecord(lxcpath, name string) string {
	for _, p := range []string{staleRecordPath(lxcpath, name), legacyRecordPath(lxcpath, name)} {
		if fi, err := os.Stat(p); err == nil && fi.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

func (m *monitor) recordCgroups(cg *cgroups) {
	if cg == nil || cg.cg == nil {
		return
	}
	p := staleRecordPath(m.o.LXCPath, m.o.Name)
	var err error
	if err = os.MkdirAll(filepath.Dir(p), 0o700); err == nil {
		err = os.WriteFile(p, []byte(strings.Join(cg.cg.AllDirs(), "\n")+"\n"), 0o600)
	}
	if err != nil {
		log.Warnf("cgroup record %s: %v", p, err)
	}
}

func (m *monitor) forgetCgroups() {
	removeRecord(staleRecordPath(m.o.LXCPath, m.o.Name))
}

// removeRecord removes a record. Its directory stays: records are flat
// files in one directory (config.RecordName), so a start and a stop make
// and remove no directory (each cost 0.3-0.5 ms where RUNDIR is a disk
// mounted with discard, and a throw-away sandbox's lxcpath is new on every
// run).
func removeRecord(p string) { _ = os.Remove(p) }

// sweepStale runs under the container lock, with no monitor serving it.
func (m *monitor) sweepStale() {
	p := leftRecord(m.o.LXCPath, m.o.Name)
	if p == "" {
		return
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return
	}
	var dirs []string
	for _, d := range strings.Split(string(b), "\n") {
		if d != "" {
			dirs = append(dirs, d)
		}
	}
	layout, err := cgroup.Detect()
	if err != nil {
		log.Warnf("stale cgroups of a dead monitor: %v", err)
		return
	}
	if err := cgroup.RemoveStale(layout, dirs); err != nil {
		log.Warnf("stale cgroups of a dead monitor: %v", err)
		return
	}
	log.Infof("removed the cgroups a dead monitor left: %s", strings.Join(dirs, " "))
	removeRecord(p)
	if p == legacyRecordPath(m.o.LXCPath, m.o.Name) {
		// The old layout's directories, emptied (rmdir stops at the
		// first one still holding another container's record).
		top := filepath.Join(runDir(), "golxc", "cgroups")
		for d := filepath.Dir(p); strings.HasPrefix(d, top+"/") && os.Remove(d) == nil; d = filepath.Dir(d) {
		}
	}
}

// SweepDead removes what a monitor of lxcpath/name that died without
// tearing down left on the host: its network devices and records, and its
// cgroups, killing what still runs in them, as a starting monitor does:
// under the container lock and only while no monitor serves the container
// (then it returns ErrAlreadyRunning: a new one may have started since).
// With neither a cgroup record nor a lock file no monitor ever ran: it
// does nothing and makes no lock file. For lxc-sandbox's guard.
func SweepDead(lxcpath, name string) error {
	_, lockErr := os.Stat(lock.Path(runDir(), lxcpath, name))
	if leftRecord(lxcpath, name) == "" && lockErr != nil {
		return nil
	}
	l := lock.Container(runDir(), lxcpath, name)
	if err := l.Lock(context.Background()); err != nil {
		return err
	}
	defer l.Unlock()
	return SweepDeadLocked(lxcpath, name)
}

// LeftRecords reports whether a monitor of lxcpath/name left a cgroup or
// network record: one whose teardown went through removed both, so there
// is nothing for SweepDead to do.
func LeftRecords(lxcpath, name string) bool {
	return leftRecord(lxcpath, name) != "" || network.HasRecord(lxcpath, name)
}

// SweepDeadLocked is SweepDead for a caller that holds the container
// lock already (lxc-destroy: a destroyed container is never started
// again, so nothing else would sweep after its dead monitor). Network
// problems are logged (by the network package, one line each); they do
// not stop the cgroups' sweep.
func SweepDeadLocked(lxcpath, name string) error {
	if isRunning(lxcpath, name) {
		return ErrAlreadyRunning
	}
	_ = network.SweepContainer(lxcpath, name) // logs each problem itself
	m := &monitor{o: Options{LXCPath: lxcpath, Name: name}}
	m.sweepStale()
	return nil
}
