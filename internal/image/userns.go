package image

import (
	"os"
	"path/filepath"
	"strings"
)

// Where the template runs, as LXC's in_userns tells: "no" (the initial
// user namespace), "userns-root" (a namespace whose root is the host's
// root) or "yes" (a user's namespace: the cache is the user's).
func inUserns() string {
	data, err := os.ReadFile("/proc/self/uid_map")
	if err != nil {
		return "no"
	}
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		f := strings.Fields(l)
		if len(f) != 3 {
			continue
		}
		if f[0] == "0" && f[1] == "0" && f[2] == "4294967295" {
			return "no"
		}
		if f[1] == "0" && f[2] == "1" {
			return "userns-root"
		}
	}
	if init, err := os.ReadFile("/proc/1/uid_map"); err == nil && string(init) == string(data) {
		return "userns-root"
	}
	return "yes"
}

// giveBack hands a cache tree made as a user namespace's root to the
// caller's ids there (LXC's chown -R of the cache to the mapped uid), so
// the user still owns its cache outside the namespace.
func giveBack(root string, uid, gid int) {
	filepath.Walk(root, func(p string, _ os.FileInfo, err error) error {
		if err == nil {
			os.Lchown(p, uid, gid)
		}
		return nil
	})
}
