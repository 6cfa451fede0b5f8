package checkconfig

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// host is where facts about the running system come from; tests point the
// paths at fixtures.
type host struct {
	modules     string // /proc/modules
	mounts      string // /proc/self/mounts
	cgroupNS    string // /proc/self/ns/cgroup
	modulesRoot string // /lib/modules
	bootDir     string // /boot
	release     string // uname -r
}

func realHost() host {
	var u unix.Utsname
	_ = unix.Uname(&u)
	return host{
		modules:     "/proc/modules",
		mounts:      "/proc/self/mounts",
		cgroupNS:    "/proc/self/ns/cgroup",
		modulesRoot: "/lib/modules",
		bootDir:     "/boot",
		release:     unix.ByteSliceToString(u.Release[:]),
	}
}

// isRegular is the shell's [ -f PATH ] (follows symlinks).
func isRegular(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.Mode().IsRegular()
}

// probe returns ", loaded" / ", not loaded" for a module, or "" when
// /proc/modules is absent. Like `lsmod | grep NAME` it matches NAME as a
// substring of module names and their users.
func (h host) probe(name string) string {
	if !isRegular(h.modules) {
		return ""
	}
	f, err := os.Open(h.modules)
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) > 4 {
			fields = fields[:4] // name size refcount users, as lsmod shows
		}
		if strings.Contains(strings.Join(fields, " "), name) {
			return ", loaded"
		}
	}
	return ", not loaded"
}

// cgroupMounts lists mount points of filesystem type fstype, in mount order.
func (h host) cgroupMounts(fstype string) []string {
	data, err := os.ReadFile(h.mounts)
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || strings.Contains(f[0], "#") || f[2] != fstype {
			continue
		}
		out = append(out, f[1])
	}
	return out
}

// configsModule finds the ikconfig module file (what `modinfo -n configs`
// prints), for the "Try modprobe configs module" hint.
func (h host) configsModule() string {
	base := filepath.Join(h.modulesRoot, h.release)
	f, err := os.Open(filepath.Join(base, "modules.dep"))
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		mod, _, _ := strings.Cut(sc.Text(), ":")
		name := filepath.Base(mod)
		if name == "configs.ko" || strings.HasPrefix(name, "configs.ko.") {
			if !filepath.IsAbs(mod) {
				mod = filepath.Join(base, mod)
			}
			return mod
		}
	}
	return ""
}

// setuidProblem describes a missing or non-setuid newuidmap/newgidmap.
func setuidProblem(tool string) string {
	p, err := exec.LookPath(tool)
	if err != nil {
		return tool + " is not installed"
	}
	st, err := os.Stat(p)
	if err != nil || st.Mode()&os.ModeSetuid == 0 {
		return "Warning: " + tool + " is not setuid-root"
	}
	return ""
}
