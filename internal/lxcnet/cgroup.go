package lxcnet

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// leaveCgroups moves pid to the root cgroup of every mounted hierarchy.
// dnsmasq is a host service: started from a container's monitor it would
// otherwise sit in that monitor's cgroup, keep it from being removed, and
// die with it.
func leaveCgroups(pid int) {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		for i, x := range fields {
			if x != "-" || i+1 >= len(fields) || i < 5 {
				continue
			}
			if fs := fields[i+1]; fs == "cgroup" || fs == "cgroup2" {
				_ = os.WriteFile(filepath.Join(fields[4], "cgroup.procs"), []byte(strconv.Itoa(pid)), 0)
			}
		}
	}
}
