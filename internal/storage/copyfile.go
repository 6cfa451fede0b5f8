package storage

import (
	"os"

	"golang.org/x/sys/unix"
)

// CopyFile copies the regular file src to dst the way CopyTree copies
// data (a reflink, or the data extents in the kernel), not its owner,
// times or xattrs. A new dst gets src's permission bits exactly and an
// existing one is an error; with replace, an existing dst is truncated
// and keeps its mode, and a new one gets src's bits minus the umask (cp
// without -p).
func CopyFile(src, dst string, replace bool) error {
	in, err := os.OpenFile(src, os.O_RDONLY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer in.Close()
	st, err := in.Stat()
	if err != nil {
		return err
	}
	flag := os.O_WRONLY | os.O_CREATE | os.O_EXCL | unix.O_CLOEXEC
	if replace {
		flag = os.O_WRONLY | os.O_CREATE | os.O_TRUNC | unix.O_CLOEXEC
	}
	out, err := os.OpenFile(dst, flag, st.Mode().Perm())
	if err != nil {
		return err
	}
	err = copyData(in, out, st.Size())
	if err == errReflinked {
		err = nil
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil || replace {
		return err
	}
	return os.Chmod(dst, st.Mode().Perm()) // the umask took bits off
}
