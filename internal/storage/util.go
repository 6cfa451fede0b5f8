package storage

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/golxc/golxc/internal/log"
)

var logf = log.Debugf

// removeOneDev deletes a tree that must hold no mount point (a bind
// mount left by a crash must not make a destroy wipe host files).
func removeOneDev(path string) error {
	if _, err := os.Lstat(path); os.IsNotExist(err) {
		return nil
	}
	if mp, ok := mountUnder(path); ok {
		return fmt.Errorf("%s is still mounted; unmount it first (umount -R %s)", mp, mp)
	}
	if err := os.RemoveAll(path); err != nil {
		return err
	}
	logf("Removed %q", path)
	return nil
}

func mountUnder(path string) (string, bool) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "", false
	}
	prefix := filepath.Clean(path)
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 5 {
			continue
		}
		mp := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(f[4])
		if mp == prefix || strings.HasPrefix(mp, prefix+"/") {
			return mp, true
		}
	}
	return "", false
}
