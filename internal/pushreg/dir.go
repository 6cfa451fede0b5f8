package pushreg

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"syscall"

	"github.com/golxc/golxc/internal/config"
)

// Dir is the registry directory of lxcpath in the caller's runtime
// directory.
func Dir(lxcpath string) string { return dirIn(config.RuntimeDir(), lxcpath) }

func dirIn(runDir, lxcpath string) string {
	h := fnv.New64a()
	io.WriteString(h, filepath.Clean(lxcpath))
	return filepath.Join(runDir, "lxc", "monitors", fmt.Sprintf("%016x", h.Sum64()))
}

// checkPrivate fails unless dir is a real directory owned by the caller
// that group and others cannot enter: anyone else who could put a socket
// there could read our records, or write fake ones next to ours.
func checkPrivate(dir string) error {
	fi, err := os.Lstat(dir)
	if err != nil {
		return err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if int(st.Uid) != os.Geteuid() {
		return fmt.Errorf("%s belongs to uid %d, not %d", dir, st.Uid, os.Geteuid())
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return fmt.Errorf("%s has mode %04o, group or others may enter", dir, fi.Mode().Perm())
	}
	return nil
}
