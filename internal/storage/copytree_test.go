package storage

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// A rootfs copy keeps device nodes, hard links, xattrs, owners, set-id
// modes, symlinks, fifos and holes.
func TestCopyTreeFidelity(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (device nodes, owners)")
	}
	src, dst := filepath.Join(t.TempDir(), "src"), filepath.Join(t.TempDir(), "dst")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.MkdirAll(filepath.Join(src, "etc/sub"), 0o755))
	must(unix.Mknod(filepath.Join(src, "null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))))
	must(unix.Mknod(filepath.Join(src, "whiteout"), unix.S_IFCHR, 0))
	must(unix.Mkfifo(filepath.Join(src, "fifo"), 0o600))
	must(os.WriteFile(filepath.Join(src, "etc/a"), []byte("hello"), 0o644))
	must(os.Link(filepath.Join(src, "etc/a"), filepath.Join(src, "etc/sub/b")))
	must(os.Symlink("../etc/a", filepath.Join(src, "etc/link")))
	must(os.WriteFile(filepath.Join(src, "suid"), []byte("x"), 0o644))
	must(os.Chown(filepath.Join(src, "suid"), 1000, 1001))
	must(unix.Chmod(filepath.Join(src, "suid"), 0o4755))
	must(unix.Chmod(filepath.Join(src, "null"), 0o666))
	must(unix.Lsetxattr(filepath.Join(src, "etc/a"), "user.golxc", []byte("v1"), 0))
	must(unix.Lsetxattr(filepath.Join(src, "etc/sub"), "trusted.overlay.opaque", []byte("y"), 0))
	sparse := filepath.Join(src, "sparse")
	f, err := os.Create(sparse)
	must(err)
	_, err = f.WriteAt([]byte("end"), 64<<20)
	must(err)
	f.Close()

	must(CopyTree(src, dst))

	var st, sd unix.Stat_t
	must(unix.Lstat(filepath.Join(dst, "null"), &st))
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != unix.Mkdev(1, 3) || st.Mode&0o777 != 0o666 {
		t.Errorf("device node: mode %o rdev %d", st.Mode, st.Rdev)
	}
	must(unix.Lstat(filepath.Join(dst, "whiteout"), &st))
	if st.Mode&unix.S_IFMT != unix.S_IFCHR || st.Rdev != 0 {
		t.Error("overlay whiteout lost")
	}
	must(unix.Lstat(filepath.Join(dst, "fifo"), &st))
	if st.Mode&unix.S_IFMT != unix.S_IFIFO {
		t.Error("fifo lost")
	}
	must(unix.Lstat(filepath.Join(dst, "etc/a"), &st))
	must(unix.Lstat(filepath.Join(dst, "etc/sub/b"), &sd))
	if st.Ino != sd.Ino || st.Nlink != 2 {
		t.Error("hard link not kept")
	}
	if l, _ := os.Readlink(filepath.Join(dst, "etc/link")); l != "../etc/a" {
		t.Errorf("symlink %q", l)
	}
	must(unix.Lstat(filepath.Join(dst, "suid"), &st))
	if st.Uid != 1000 || st.Gid != 1001 || st.Mode&0o7777 != 0o4755 {
		t.Errorf("owner/mode: %d:%d %o", st.Uid, st.Gid, st.Mode&0o7777)
	}
	buf := make([]byte, 16)
	if n, _ := unix.Lgetxattr(filepath.Join(dst, "etc/a"), "user.golxc", buf); string(buf[:n]) != "v1" {
		t.Error("user xattr lost")
	}
	if n, _ := unix.Lgetxattr(filepath.Join(dst, "etc/sub"), "trusted.overlay.opaque", buf); string(buf[:n]) != "y" {
		t.Error("trusted xattr lost")
	}
	must(unix.Lstat(sparse, &sd))
	must(unix.Lstat(filepath.Join(dst, "sparse"), &st))
	if st.Size != sd.Size || st.Blocks > sd.Blocks+8 {
		t.Errorf("sparse file: size %d blocks %d, source %d blocks %d", st.Size, st.Blocks, sd.Size, sd.Blocks)
	}
	a, _ := os.ReadFile(sparse)
	b, _ := os.ReadFile(filepath.Join(dst, "sparse"))
	if !bytes.Equal(a, b) {
		t.Error("sparse file content differs")
	}
}
