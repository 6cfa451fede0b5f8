package network

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/lock"
	"github.com/golxc/golxc/internal/log"
)

// holdIdle takes the lock of r's container (the one a starting monitor
// claims the container under) and keeps it only while no monitor answers
// on the container's command socket (whatever state it reports: one that
// just claimed the container or tears it down owns its devices) and r's
// file still holds the same dead monitor's record: a monitor that started
// meanwhile sweeps r itself and writes its own record under the same name.
func holdIdle(r *record) (func(), bool) {
	lxcpath, name := filepath.Dir(r.Container), filepath.Base(r.Container)
	l := lock.Container(config.RuntimeDir(), lxcpath, name)
	if err := l.Lock(context.Background()); err != nil {
		log.Warnf("network cleanup: %s: lock: %v", r.Container, err)
		return nil, false
	}
	if cmdsock.Answers(lxcpath, name) || !sameDeadRecord(r) {
		l.Unlock()
		return nil, false
	}
	return func() { l.Unlock() }, true
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
