package cmdsock

import (
	"github.com/golxc/golxc/internal/config"

	"golang.org/x/sys/unix"
)

// FIFOPath is LXC's monitor FIFO of lxcpath, RUNDIR/lxc/LXCPATH/monitor-fifo
// (made and read by lxc-monitord; e.g. /run/lxc//var/lib/lxc/monitor-fifo,
// the double slash included).
func FIFOPath(lxcpath string) string {
	return RunDir() + "/lxc/" + lxcpath + "/monitor-fifo"
}

// RunDir is LXC's runtime directory: /run for root, else $XDG_RUNTIME_DIR,
// else ~/.cache/lxc/run.
func RunDir() string { return config.RuntimeDir() }

// SendFIFO writes m to the monitor FIFO of lxcpath without blocking, as every
// LXC monitor and freeze client does, so LXC's lxc-monitor sees golxc
// containers. Nobody reading (no FIFO, no reader, full pipe) is not an error
// anyone acts on; it is ignored like LXC does.
func SendFIFO(lxcpath string, m Msg) {
	b, err := m.Encode()
	if err != nil {
		return
	}
	fd, err := unix.Open(FIFOPath(lxcpath), unix.O_WRONLY|unix.O_NONBLOCK|unix.O_CLOEXEC, 0)
	if err != nil {
		return
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if unix.Fstat(fd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFIFO {
		return
	}
	_, _ = unix.Write(fd, b)
}
