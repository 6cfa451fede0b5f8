package pushreg

import (
	"errors"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/log"
)

// Send pushes m to every lxc-monitor registered for lxcpath. It never
// blocks and never fails: a full listener misses m, a dead one is removed.
// Calls for one container must be serialised by the caller to keep its
// records in order.
func Send(lxcpath string, m cmdsock.Msg) { sendIn(Dir(lxcpath), m) }

// Publish gives every lxc-monitor of lxcpath m: golxc's listeners first
// (Send), then LXC's monitor FIFO, which an LXC lxc-monitord relays. The
// order is what lets golxc's lxc-monitor drop the relayed copy of a
// record it was pushed (tools.stateMonitor.relay). A client announcing a
// state through its monitor (SERVE_STATE_CLIENTS, which pushes) writes
// the FIFO after the monitor answered, the same order.
func Publish(lxcpath string, m cmdsock.Msg) {
	Send(lxcpath, m)
	cmdsock.SendFIFO(lxcpath, m)
}

func sendIn(dir string, m cmdsock.Msg) {
	b, err := m.Encode()
	if err != nil {
		log.Debugf("not pushing a record for '%s': %v", m.Name, err)
		return
	}
	entries, err := os.ReadDir(dir)
	if err != nil || len(entries) == 0 {
		return // nobody registered
	}
	if err := checkPrivate(dir); err != nil {
		log.Warnf("not pushing to lxc-monitor listeners: %v", err)
		return
	}
	fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		log.Warnf("not pushing to lxc-monitor listeners: socket: %v", err)
		return
	}
	defer unix.Close(fd)
	for _, e := range entries {
		if e.Type()&os.ModeSocket == 0 {
			continue
		}
		sendOne(fd, filepath.Join(dir, e.Name()), b, m)
	}
}

func sendOne(fd int, path string, b []byte, m cmdsock.Msg) {
	err := unix.Sendto(fd, b, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, &unix.SockaddrUnix{Name: path})
	for errors.Is(err, unix.EINTR) {
		err = unix.Sendto(fd, b, unix.MSG_DONTWAIT|unix.MSG_NOSIGNAL, &unix.SockaddrUnix{Name: path})
	}
	switch {
	case err == nil:
		log.Tracef("pushed record type %d value %d for '%s' to %s", m.Type, m.Value, m.Name, path)
	case errors.Is(err, unix.EAGAIN):
		log.Warnf("lxc-monitor listener %s is not keeping up: dropped record type %d value %d for '%s'", path, m.Type, m.Value, m.Name)
	case errors.Is(err, unix.ECONNREFUSED):
		// Its lxc-monitor died without unregistering.
		if rerr := os.Remove(path); rerr == nil {
			log.Debugf("removed stale lxc-monitor listener %s", path)
		}
	case errors.Is(err, unix.ENOENT):
		log.Debugf("lxc-monitor listener %s went away", path)
	default:
		log.Warnf("pushing to lxc-monitor listener %s: %v", path, err)
	}
}
