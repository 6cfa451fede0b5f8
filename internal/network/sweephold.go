package network

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/lock"
	"github.com/golxc/golxc/internal/log"
)

// sweepLockWait bounds how long Sweep waits for a container's lock: its
// holder (a start, stop or destroy) normally keeps it for moments; one
// that hangs must not hang golxc net cleanup with it.
const sweepLockWait = 10 * time.Second

// holdIdle returns Sweep's hold: it takes the lock of r's container (the
// one a starting monitor claims the container under), waiting at most
// wait, and keeps it only while no monitor answers on the container's
// command socket (whatever state it reports: one that just claimed the
// container or tears it down owns its devices) and r's file still holds
// the same dead monitor's record: a monitor that started meanwhile sweeps
// r itself and writes its own record under the same name. A record whose
// container directory is gone (its lxcpath removed) is swept all the
// same, and the lock file the hold made for it goes with it.
func holdIdle(wait time.Duration) func(r *record) (func(), bool) {
	return func(r *record) (func(), bool) {
		lxcpath, name := filepath.Dir(r.Container), filepath.Base(r.Container)
		l := lock.Container(config.RuntimeDir(), lxcpath, name)
		log.Tracef("network cleanup: %s: taking the lock %s", r.Container, l.Path())
		ctx, cancel := context.WithTimeout(context.Background(), wait)
		defer cancel()
		if err := l.Lock(ctx); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				log.Warnf("network cleanup: %s skipped: its lock %s is still held after %s (a start, stop or destroy of it is under way or hung); run golxc net cleanup again once that is done", r.Container, l.Path(), wait)
			} else {
				log.Warnf("network cleanup: %s skipped: %v", r.Container, err)
			}
			return nil, false
		}
		if cmdsock.Answers(lxcpath, name) || !sameDeadRecord(r) {
			l.Unlock()
			return nil, false
		}
		return func() { release(l, r.Container) }, true
	}
}

// release drops the lock of a swept container, and removes its lock file
// when the container's directory is gone: nothing else would (lxc-destroy
// removes its container's), and a removed lxcpath must not come back as
// lock directories.
func release(l *lock.Lock, container string) {
	if _, err := os.Stat(container); errors.Is(err, os.ErrNotExist) {
		log.Debugf("network cleanup: %s is gone: removing its lock file %s", container, l.Path())
		l.UnlockAndRemove()
		return
	}
	l.Unlock()
}

// sameDeadRecord: r's file is still there and names the same dead monitor.
func sameDeadRecord(r *record) bool {
	b, err := os.ReadFile(r.file)
	if err != nil {
		return false
	}
	var now record
	if json.Unmarshal(b, &now) != nil {
		return false // rewritten since: not the record read
	}
	return now.MonitorPID == r.MonitorPID && now.MonitorStart == r.MonitorStart && !now.alive()
}
