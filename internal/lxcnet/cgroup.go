package lxcnet

import (
	"os"
	"path/filepath"
	"strconv"

	"github.com/golxc/golxc/internal/mountinfo"
)

// leaveCgroups moves pid to the root cgroup of every mounted hierarchy.
// dnsmasq is a host service: started from a container's monitor it would
// otherwise sit in that monitor's cgroup, keep it from being removed, and
// die with it.
func leaveCgroups(pid int) {
	ms, err := mountinfo.Read()
	if err != nil {
		return
	}
	for _, m := range ms {
		if m.FSType == "cgroup" || m.FSType == "cgroup2" {
			_ = os.WriteFile(filepath.Join(m.Point, "cgroup.procs"), []byte(strconv.Itoa(pid)), 0)
		}
	}
}
