package cgroup

import (
	"os"
	"path/filepath"
	"strings"
)

// ReadControllers returns the controllers listed in DIR/cgroup.controllers
// (cgroup v2), in file order.
func ReadControllers(dir string) ([]string, error) {
	b, err := readFile(filepath.Join(dir, "cgroup.controllers"))
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(b)), nil
}

// IsPureUnified reports whether fsRoot/sys/fs/cgroup is a cgroup2 root
// (pure v2 host). fsRoot "" means "/".
func IsPureUnified(fsRoot string) bool {
	_, err := os.Stat(filepath.Join(fsRoot, "/sys/fs/cgroup/cgroup.controllers"))
	return err == nil
}

// CgroupNSAware reports whether the kernel has cgroup namespaces, as LXC's
// cgns_supported() does.
func CgroupNSAware() bool {
	_, err := os.Stat("/proc/self/ns/cgroup")
	return err == nil
}
