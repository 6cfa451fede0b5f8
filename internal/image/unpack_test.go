package image

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// TestUnpackStaysInRoot: names with .., absolute names, symlinks and
// hard links pointing out, and writes through such symlinks all land
// inside the root.
func TestUnpackStaysInRoot(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	outside := filepath.Join(base, "outside")
	os.MkdirAll(root, 0o755)
	os.MkdirAll(outside, 0o755)
	os.WriteFile(filepath.Join(outside, "secret"), []byte("host"), 0o644)
	src := filepath.Join(base, "evil.tar.xz")
	writeTarXZ(t, src, []member{
		{tar.Header{Name: "../escape-dotdot", Typeflag: tar.TypeReg}, "x"},
		{tar.Header{Name: "/" + filepath.Join(outside, "abs"), Typeflag: tar.TypeReg}, "x"},
		{tar.Header{Name: "./link", Typeflag: tar.TypeSymlink, Linkname: outside}, ""},
		{tar.Header{Name: "./link/through-symlink", Typeflag: tar.TypeReg}, "x"},
		{tar.Header{Name: "./rel", Typeflag: tar.TypeSymlink, Linkname: "../../outside"}, ""},
		{tar.Header{Name: "./rel/secret", Typeflag: tar.TypeReg}, "overwritten"},
		{tar.Header{Name: "./hard", Typeflag: tar.TypeLink, Linkname: "../outside/secret"}, ""},
		{tar.Header{Name: "./hard2", Typeflag: tar.TypeLink, Linkname: filepath.Join(outside, "secret")}, ""},
	})
	err := Unpack(src, root, UnpackOptions{Owners: os.Geteuid() == 0})
	// Links to files that are not in the root may fail; nothing may escape.
	_ = err
	ents, _ := os.ReadDir(outside)
	if len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("files written outside the root: %v", names)
	}
	if data, _ := os.ReadFile(filepath.Join(outside, "secret")); string(data) != "host" {
		t.Errorf("host file changed: %q", data)
	}
	if exists(filepath.Join(base, "escape-dotdot")) {
		t.Errorf("../ escaped")
	}
	if !exists(filepath.Join(root, "escape-dotdot")) || !exists(filepath.Join(root, outside, "abs")) {
		t.Errorf("contained members missing (want them under the root): %v", err)
	}
	if !exists(filepath.Join(root, outside, "through-symlink")) {
		t.Errorf("a write through a symlink should land inside the root")
	}
}

func TestUnpackExcludes(t *testing.T) {
	base := t.TempDir()
	src := filepath.Join(base, "x.tar.xz")
	writeTarXZ(t, src, []member{
		{tar.Header{Name: "./dev/", Typeflag: tar.TypeDir, Mode: 0o755}, ""},
		{tar.Header{Name: "./dev/console", Typeflag: tar.TypeReg}, "c"},
		{tar.Header{Name: "./etc/", Typeflag: tar.TypeDir, Mode: 0o755}, ""},
		{tar.Header{Name: "./etc/x", Typeflag: tar.TypeReg}, "x"},
	})
	root := filepath.Join(base, "r")
	os.Mkdir(root, 0o755)
	if err := Unpack(src, root, UnpackOptions{Excludes: []string{"./dev/*"}}); err != nil {
		t.Fatal(err)
	}
	if exists(filepath.Join(root, "dev/console")) || !exists(filepath.Join(root, "dev")) || !exists(filepath.Join(root, "etc/x")) {
		t.Errorf("excludes not applied as tar --anchored --exclude")
	}
}

// TestRoundTripKeepsMetadata: a tree archived by build and unpacked by the
// client keeps owners, modes (setuid too), devices, hard links, symlinks
// and extended attributes.
func TestRoundTripKeepsMetadata(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root (owners and device nodes)")
	}
	base := t.TempDir()
	src := filepath.Join(base, "src")
	os.MkdirAll(filepath.Join(src, "dev"), 0o755)
	os.MkdirAll(filepath.Join(src, "usr/bin"), 0o755)
	os.WriteFile(filepath.Join(src, "usr/bin/su"), []byte("su"), 0o755)
	os.Chown(filepath.Join(src, "usr/bin/su"), 0, 0)
	unix.Chmod(filepath.Join(src, "usr/bin/su"), 0o4755)
	os.WriteFile(filepath.Join(src, "usr/bin/owned"), []byte("o"), 0o640)
	os.Chown(filepath.Join(src, "usr/bin/owned"), 1234, 5678)
	os.Link(filepath.Join(src, "usr/bin/owned"), filepath.Join(src, "usr/bin/link"))
	os.Symlink("../usr/bin/su", filepath.Join(src, "dev/sym"))
	if err := unix.Mknod(filepath.Join(src, "dev/null"), unix.S_IFCHR|0o666, int(unix.Mkdev(1, 3))); err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(src, "ro"), 0o755)
	os.WriteFile(filepath.Join(src, "ro/f"), []byte("f"), 0o644)
	os.Chmod(filepath.Join(src, "ro"), 0o555)
	xattrOK := unix.Setxattr(filepath.Join(src, "usr/bin/su"), "user.golxc", []byte("v"), 0) == nil
	tarball := filepath.Join(base, "rootfs.tar.xz")
	if err := WriteRootfsTarball(src, tarball, nil); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(base, "dst")
	os.Mkdir(dst, 0o755)
	if err := Unpack(tarball, dst, UnpackOptions{Owners: true}); err != nil {
		t.Fatal(err)
	}
	st := func(rel string) *syscall.Stat_t {
		var s syscall.Stat_t
		if err := syscall.Lstat(filepath.Join(dst, rel), &s); err != nil {
			t.Fatalf("%s: %v", rel, err)
		}
		return &s
	}
	if s := st("usr/bin/su"); s.Mode&0o7777 != 0o4755 {
		t.Errorf("setuid lost: %o", s.Mode)
	}
	if s := st("usr/bin/owned"); s.Uid != 1234 || s.Gid != 5678 || s.Mode&0o777 != 0o640 {
		t.Errorf("owner/mode: %d:%d %o", s.Uid, s.Gid, s.Mode)
	}
	if a, b := st("usr/bin/owned"), st("usr/bin/link"); a.Ino != b.Ino {
		t.Errorf("hard link not kept")
	}
	if s := st("dev/null"); s.Mode&unix.S_IFMT != unix.S_IFCHR || s.Rdev != unix.Mkdev(1, 3) {
		t.Errorf("device: %o %d", s.Mode, s.Rdev)
	}
	if l, _ := os.Readlink(filepath.Join(dst, "dev/sym")); l != "../usr/bin/su" {
		t.Errorf("symlink %q", l)
	}
	if s := st("ro"); s.Mode&0o777 != 0o555 || !exists(filepath.Join(dst, "ro/f")) {
		t.Errorf("read-only directory: %o", s.Mode)
	}
	if xattrOK {
		buf := make([]byte, 16)
		n, err := unix.Getxattr(filepath.Join(dst, "usr/bin/su"), "user.golxc", buf)
		if err != nil || string(buf[:n]) != "v" {
			t.Errorf("xattr lost: %v", err)
		}
	}
}

func TestRenderTemplatesStaysInRootfs(t *testing.T) {
	base := t.TempDir()
	cache := filepath.Join(base, "cache")
	rootfs := filepath.Join(base, "rootfs")
	os.MkdirAll(filepath.Join(rootfs, "etc"), 0o755)
	os.MkdirAll(cache, 0o755)
	host := filepath.Join(base, "host-file")
	os.WriteFile(host, []byte("LXC_NAME on the host\n"), 0o644)
	os.Symlink(host, filepath.Join(rootfs, "etc/evil"))
	os.WriteFile(filepath.Join(rootfs, "etc/hosts"), []byte("127.0.1.1 LXC_NAME\n"), 0o644)
	os.WriteFile(filepath.Join(cache, "templates"), []byte("/etc/evil\n/etc/hosts\n/etc/absent\n"), 0o644)
	tg := Target{Name: "img-t", Path: base, Rootfs: rootfs}
	if err := RenderTemplates(tg, cache, "system"); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(host); !strings.Contains(string(data), "LXC_NAME") {
		t.Errorf("a host file was templated through a symlink: %q", data)
	}
	if data, _ := os.ReadFile(filepath.Join(rootfs, "etc/hosts")); string(data) != "127.0.1.1 img-t\n" {
		t.Errorf("hosts %q", data)
	}
}

func TestIndexParseAndTable(t *testing.T) {
	idx := "a;1;amd64;default;b1;/images/a/\nbroken;line\nb;2;arm64;default;;/x\nc;3;amd64;cloud;b2;/images/c/\n"
	es := ParseIndex(idx)
	if len(es) != 2 || es[1].Variant != "cloud" {
		t.Fatalf("%v", es)
	}
	if got := Table(es, Filter{Arch: "amd64", Variant: "default"}); !strings.Contains(got, "a\t1\tamd64\tdefault\tb1\n") || strings.Contains(got, "cloud") {
		t.Errorf("%s", got)
	}
	if _, err := entryDir("/c", Filter{"../x", "1", "a", "v"}); err == nil {
		t.Errorf("../ accepted as a dist")
	}
}

func TestRenderTemplatesSkipsNonRegular(t *testing.T) {
	base := t.TempDir()
	cache := filepath.Join(base, "cache")
	rootfs := filepath.Join(base, "rootfs")
	os.MkdirAll(filepath.Join(rootfs, "etc/init"), 0o755)
	os.MkdirAll(cache, 0o755)
	// A FIFO named as a template is skipped, never opened for I/O.
	if err := unix.Mkfifo(filepath.Join(rootfs, "etc/fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(cache, "templates"), []byte("/etc/fifo\n"), 0o644)
	os.WriteFile(filepath.Join(rootfs, "etc/init/tty.conf"), []byte("exec /sbin/mingetty tty1\n"), 0o644)
	if err := RenderTemplates(Target{Name: "n", Rootfs: rootfs}, cache, "system"); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(filepath.Join(rootfs, "etc/init/tty.conf")); string(data) != "exec /sbin/mingetty --nohangup tty1\n" {
		t.Errorf("tty.conf %q", data)
	}
}
