package integration

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// Seed 003's chain: base (busybox) -> web (overlay snapshot) -> mysite
// (snapshot of the snapshot). Each starts; what mysite writes stays in
// mysite; web cannot go while mysite depends on it; -s takes clones along.
func TestCopySnapshotChain(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "stor-base")
	mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-base", "-N", "stor-web", "-s", "-B", "overlay")
	mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-web", "-N", "stor-mysite", "-s")
	cfg, _ := os.ReadFile(filepath.Join(lp, "stor-mysite", "config"))
	if want := "lxc.rootfs.path = overlay:" + lp + "/stor-base/rootfs:" + lp + "/stor-mysite/overlay/delta\nlxc.uts.name = stor-mysite\n"; !strings.HasSuffix(string(cfg), want) {
		t.Errorf("mysite config ends:\n%s\nwant\n%s", cfg, want)
	}
	deps := func(name, file string) string {
		b, _ := os.ReadFile(filepath.Join(lp, name, file))
		return string(b)
	}
	if got, want := deps("stor-base", "lxc_snapshots"), lp+"\nstor-web\n"+lp+"\nstor-mysite\n"; got != want {
		t.Errorf("base lxc_snapshots %q, want %q", got, want)
	}
	if got, want := deps("stor-mysite", "lxc_rdepends"), lp+"\nstor-base\n"+lp+"\nstor-web\n"; got != want {
		t.Errorf("mysite lxc_rdepends %q, want %q", got, want)
	}
	for _, c := range []string{"stor-base", "stor-web", "stor-mysite"} {
		startRunning(t, lp, c)
		if c != "stor-base" {
			t.Cleanup(func() { run(t, nil, "lxc-stop", "-P", lp, "-n", c, "-k") })
		}
		if got := strings.TrimSpace(mustRun(t, "lxc-attach", "-P", lp, "-n", c, "--", "hostname").stdout); got != c {
			t.Errorf("%s: hostname %q", c, got)
		}
	}
	mustRun(t, "lxc-attach", "-P", lp, "-n", "stor-mysite", "--", "sh", "-c", "echo mine > /only-mysite")
	for _, c := range []string{"stor-base", "stor-web"} {
		if r := run(t, nil, "lxc-attach", "-P", lp, "-n", c, "--", "test", "-e", "/only-mysite"); r.code == 0 {
			t.Errorf("%s sees mysite's file", c)
		}
	}
	for _, c := range []string{"stor-mysite", "stor-web", "stor-base"} {
		killStop(t, lp, c)
	}
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "stor-web"), 1, "", "lxc-destroy: Destroying stor-web failed: stor-web has clones\n")
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "stor-base"), 1, "", "lxc-destroy: Destroying stor-base failed: stor-base has clones\n")
	// A renamed clone stays recorded by its origins, under its new name;
	// an origin with clones is not renamed.
	mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-mysite", "-N", "stor-mysite2", "-R")
	if got, want := deps("stor-base", "lxc_snapshots"), lp+"\nstor-web\n"+lp+"\nstor-mysite2\n"; got != want {
		t.Errorf("base lxc_snapshots after the rename %q, want %q", got, want)
	}
	if r := run(t, nil, "lxc-copy", "-P", lp, "-n", "stor-web", "-N", "stor-web2", "-R"); r.code != 1 {
		t.Errorf("rename of an origin: %s", r)
	}
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "stor-web", "-s"), 0, "", "")
	for _, c := range []string{"stor-web", "stor-mysite2"} {
		if _, err := os.Stat(filepath.Join(lp, c)); !os.IsNotExist(err) {
			t.Errorf("lxc-destroy -s left %s", c)
		}
	}
	if _, err := os.Stat(filepath.Join(lp, "stor-base", "lxc_snapshots")); !os.IsNotExist(err) {
		t.Errorf("base still records clones: %q", deps("stor-base", "lxc_snapshots"))
	}
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "stor-base"), 0, "", "")
}

// lxc-copy -e: an overlay clone marked ephemeral, started at once, with
// its -m bind mount; stopping it removes it and its origin's record.
// With -t its writes land on a tmpfs, not in the clone's directory.
func TestCopyEphemeral(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "stor-eorig")
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "f"), []byte("bound\n"), 0o644)
	r := mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-eorig", "-N", "stor-eph", "-e", "-m", "bind="+src+":/mnt/b:ro")
	t.Cleanup(func() { run(t, nil, "lxc-stop", "-P", lp, "-n", "stor-eph", "-k") })
	if r.stdout != "Created stor-eph as clone of stor-eorig\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	mustRun(t, "lxc-wait", "-P", lp, "-n", "stor-eph", "-s", "RUNNING", "-t", "10")
	if got := mustRun(t, "lxc-attach", "-P", lp, "-n", "stor-eph", "--", "cat", "/mnt/b/f").stdout; got != "bound\n" {
		t.Errorf("bind mount: %q", got)
	}
	if r := run(t, nil, "lxc-attach", "-P", lp, "-n", "stor-eph", "--", "sh", "-c", "echo x > /mnt/b/w"); r.code == 0 {
		t.Error("the ro bind mount is writable")
	}
	cfg, _ := os.ReadFile(filepath.Join(lp, "stor-eph", "config"))
	if !strings.Contains(string(cfg), "lxc.ephemeral = 1\n") {
		t.Errorf("config:\n%s", cfg)
	}
	killStop(t, lp, "stor-eph")
	eventually(t, "the ephemeral container's removal", func() bool {
		_, err := os.Stat(filepath.Join(lp, "stor-eph"))
		return os.IsNotExist(err)
	})
	if _, err := os.Stat(filepath.Join(lp, "stor-eorig", "lxc_snapshots")); !os.IsNotExist(err) {
		t.Error("the origin still records the removed clone")
	}

	r = mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-eorig", "-N", "stor-ephT", "-e", "-t")
	t.Cleanup(func() { run(t, nil, "lxc-stop", "-P", lp, "-n", "stor-ephT", "-k") })
	if !strings.Contains(r.stdout, "Container is placed on tmpfs.\nRebooting will cause all changes made to it to be lost!\n") {
		t.Errorf("stdout %q", r.stdout)
	}
	mustRun(t, "lxc-wait", "-P", lp, "-n", "stor-ephT", "-s", "RUNNING", "-t", "10")
	mustRun(t, "lxc-attach", "-P", lp, "-n", "stor-ephT", "--", "sh", "-c", "echo x > /on-tmpfs")
	if _, err := os.Stat(filepath.Join(lp, "stor-ephT", "overlay", "delta", "on-tmpfs")); !os.IsNotExist(err) {
		t.Error("-t: the write reached the clone's directory on disk")
	}
	if got := strings.TrimSpace(mustRun(t, "lxc-attach", "-P", lp, "-n", "stor-ephT", "--", "hostname").stdout); got != "stor-ephT" {
		t.Errorf("hostname %q", got)
	}
	killStop(t, lp, "stor-ephT")
	eventually(t, "the tmpfs ephemeral container's removal", func() bool {
		_, err := os.Stat(filepath.Join(lp, "stor-ephT"))
		return os.IsNotExist(err)
	})
	assertClean(t, lp, "stor-ephT")
}

// A full copy and a rename: new MAC and hostname (config and
// /etc/hostname) unless -K/-M; bad input fails with one line and leaves
// nothing behind.
func TestCopyFullRenameAndBadInput(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	cfg := busybox(t, lp, "stor-full", "lxc.net.1.type = empty", "lxc.net.1.hwaddr = 00:16:3e:aa:bb:cc")
	_ = cfg
	os.WriteFile(filepath.Join(lp, "stor-full", "rootfs", "etc", "hostname"), []byte("stor-full\n"), 0o644)
	mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-full", "-N", "stor-full2")
	mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-full", "-N", "stor-keep", "-K", "-M")
	read := func(p string) string { b, _ := os.ReadFile(filepath.Join(lp, p)); return string(b) }
	if c := read("stor-full2/config"); strings.Contains(c, "aa:bb:cc") || !strings.Contains(c, "lxc.net.1.hwaddr = 00:16:3e:") ||
		!strings.HasSuffix(c, "lxc.rootfs.path = dir:"+lp+"/stor-full2/rootfs\nlxc.uts.name = stor-full2\n") {
		t.Errorf("copy config:\n%s", c)
	}
	if h := read("stor-full2/rootfs/etc/hostname"); h != "stor-full2" {
		t.Errorf("copy hostname %q", h)
	}
	if c := read("stor-keep/config"); !strings.Contains(c, "aa:bb:cc") || !strings.Contains(c, `lxc.uts.name = "stor-full"`) {
		t.Errorf("-K -M config:\n%s", c)
	}
	if h := read("stor-keep/rootfs/etc/hostname"); h != "stor-full\n" {
		t.Errorf("-K hostname %q", h)
	}
	mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-full2", "-N", "stor-renamed", "-R")
	if _, err := os.Stat(filepath.Join(lp, "stor-full2")); !os.IsNotExist(err) {
		t.Error("rename left the old directory")
	}
	if c := read("stor-renamed/config"); !strings.Contains(c, "lxc.rootfs.path = dir:"+lp+"/stor-renamed/rootfs\n") || !strings.Contains(c, "lxc.uts.name = stor-renamed\n") {
		t.Errorf("renamed config:\n%s", c)
	}
	startRunning(t, lp, "stor-renamed")
	killStop(t, lp, "stor-renamed")

	before, _ := os.ReadDir(lp)
	for _, c := range []struct {
		args   []string
		stderr string
	}{
		{[]string{"-n", "nosuch", "-N", "x"}, "lxc-copy: Container nosuch is not defined\n"},
		{[]string{"-n", "stor-full"}, "lxc-copy: You must provide a NEWNAME for the clone (-N NEWNAME)\n"},
		{[]string{"-n", "stor-full", "-N", "stor-keep"}, "lxc-copy: Failed to clone stor-full to stor-keep: container already defined: " + lp + "/stor-keep/config exists\n"},
		{[]string{"-n", "stor-full", "-N", "x", "-B", "bogus"}, "lxc-copy: -B bogus: bogus is not a valid backing storage type (use one of dir, zfs, lvm, rbd, btrfs, overlay, overlayfs, loop, nbd)\n"},
		{[]string{"-n", "stor-full", "-N", "x", "-B", "loop", "-s"}, "lxc-copy: Failed to clone stor-full to x: cloning the container failed: the loop storage driver does not support snapshots: clone without -s\n"},
		{[]string{"-n", "stor-full", "-N", "x", "-L", "12Q", "-B", "loop"}, "lxc-copy: -L: invalid size \"12Q\": use a number with an optional unit b, k, m, g or t (default m), e.g. 1G\n"},
	} {
		expect(t, run(t, nil, "lxc-copy", append([]string{"-P", lp}, c.args...)...), 1, "", c.stderr)
	}
	if r := run(t, nil, "lxc-copy", "-P", lp, "-n", "stor-full", "-N", "x", "-B", "lvm"); r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "backing store lvm is not available") {
		t.Errorf("-B lvm: %s", r)
	}
	after, _ := os.ReadDir(lp)
	if len(after) != len(before) {
		t.Errorf("bad input left entries: %v -> %v", before, after)
	}
	startRunning(t, lp, "stor-full")
	if r := run(t, nil, "lxc-copy", "-P", lp, "-n", "stor-full", "-N", "stor-live"); r.code != 1 || !strings.Contains(r.stderr, "is running") {
		t.Errorf("copy of a running container without -a: %s", r)
	}
	mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-full", "-N", "stor-live", "-a")
	killStop(t, lp, "stor-full")
}

// A copy killed at any moment leaves either no container or a complete
// one, never a half; the next copy removes what the killed one left.
func TestKilledCopyLeavesNoHalfContainer(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "stor-kbase")
	big := filepath.Join(lp, "stor-kbase", "rootfs", "big")
	os.Mkdir(big, 0o755)
	chunk := bytes.Repeat([]byte("golxc"), 8192)
	for i := 0; i < 2000; i++ {
		os.WriteFile(filepath.Join(big, "f"+strconv.Itoa(i)), chunk, 0o644)
	}
	cmd := exec.Command(filepath.Join(binDir, "lxc-copy"), "-P", lp, "-n", "stor-kbase", "-N", "stor-killed")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until the copy is under way (its build directory exists).
	eventually(t, "the copy to start", func() bool {
		m, _ := filepath.Glob(filepath.Join(lp, ".golxc-clone-*"))
		_, done := os.Stat(filepath.Join(lp, "stor-killed"))
		return len(m) > 0 || done == nil
	})
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(lp, "stor-killed")); err == nil {
		n, _ := os.ReadDir(filepath.Join(lp, "stor-killed", "rootfs", "big"))
		if _, cerr := os.Stat(filepath.Join(lp, "stor-killed", "config")); cerr != nil || len(n) != 2000 {
			t.Fatalf("a half container: config %v, %d files", cerr, len(n))
		}
	} else if r := mustRun(t, "lxc-ls", "-1", "-P", lp); r.stdout != "stor-kbase\n" {
		t.Fatalf("lxc-ls after the killed copy: %q", r.stdout)
	}
	mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-kbase", "-N", "stor-after")
	if m, _ := filepath.Glob(filepath.Join(lp, ".golxc-clone-*")); len(m) != 0 {
		t.Errorf("leftovers of the killed copy: %v", m)
	}
}

// lxc-create -B loop: an ext4 image, mounted through a loop device at
// start, released at stop, removed by destroy.
func TestLoopBackingStore(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("mkfs.ext4"); err != nil {
		t.Skip("mkfs.ext4 missing")
	}
	lp := lxcpath(t)
	createBacked(t, lp, "stor-loop", "busybox", "-B", "loop", "--fssize", "64M")
	img := filepath.Join(lp, "stor-loop", "rootdev")
	st, err := os.Stat(img)
	if err != nil || st.Size() != 64<<20+1 {
		t.Fatalf("image: %v %v", st, err)
	}
	cfg, _ := os.ReadFile(filepath.Join(lp, "stor-loop", "config"))
	if !strings.Contains(string(cfg), "lxc.rootfs.path = loop:"+img+"\n") {
		t.Errorf("config:\n%s", cfg)
	}
	startRunning(t, lp, "stor-loop")
	if out := mustRun(t, "lxc-attach", "-P", lp, "-n", "stor-loop", "--", "sh", "-c", "grep ' / ' /proc/mounts").stdout; !strings.HasPrefix(out, "/dev/loop") || !strings.Contains(out, " ext4 ") {
		t.Errorf("root mount: %q", out)
	}
	if loopsOf(img) == 0 {
		t.Error("no loop device for the running container's image")
	}
	killStop(t, lp, "stor-loop")
	eventually(t, "the loop device's release", func() bool { return loopsOf(img) == 0 })
	assertClean(t, lp, "stor-loop")
	mustRun(t, "lxc-destroy", "-P", lp, "-n", "stor-loop")
	if _, err := os.Stat(filepath.Join(lp, "stor-loop")); !os.IsNotExist(err) {
		t.Error("destroy left the container")
	}
	// An external template (LXC's own script) fills the image too.
	if script := "/usr/share/lxc/templates/lxc-busybox"; fileExists(script) {
		createBacked(t, lp, "stor-loopx", script, "-B", "loop", "--fssize", "64M")
		startRunning(t, lp, "stor-loopx")
		killStop(t, lp, "stor-loopx")
		mustRun(t, "lxc-destroy", "-P", lp, "-n", "stor-loopx")
	}
	if r := run(t, nil, "lxc-create", "-P", lp, "-n", "stor-x", "-t", "busybox", "-B", "loop", "--fstype", "nosuchfs"); r.code != 1 || !strings.Contains(r.stderr, "mkfs.nosuchfs not found") {
		t.Errorf("--fstype nosuchfs: %s", r)
	}
	if _, err := os.Stat(filepath.Join(lp, "stor-x")); !os.IsNotExist(err) {
		t.Error("the failed create left stor-x")
	}
}

// createBacked creates container name in lp from template, networking
// off, on the backing store the extra lxc-create arguments choose (-B
// ...); it is stopped at cleanup.
func createBacked(t *testing.T, lp, name, template string, args ...string) {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "c.conf")
	os.WriteFile(conf, []byte("lxc.net.0.type = empty\n"), 0o644)
	mustRun(t, "lxc-create", append([]string{"-P", lp, "-n", name, "-t", template, "-f", conf}, args...)...)
	t.Cleanup(func() { run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k") })
}

// loopsOf counts the loop devices backed by file.
func loopsOf(file string) int {
	n := 0
	m, _ := filepath.Glob("/sys/block/loop*/loop/backing_file")
	for _, p := range m {
		if b, _ := os.ReadFile(p); strings.TrimSpace(string(b)) == file {
			n++
		}
	}
	return n
}

// btrfs: -B btrfs makes a subvolume; lxc-copy -s snapshots it; each
// container's writes are its own; destroy deletes the subvolumes.
func TestBtrfsSnapshotClone(t *testing.T) {
	needRoot(t)
	if _, err := exec.LookPath("mkfs.btrfs"); err != nil {
		t.Skip("mkfs.btrfs (btrfs-progs) missing")
	}
	dir := t.TempDir()
	img := filepath.Join(dir, "btrfs.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	os.Truncate(img, 256<<20)
	if out, err := exec.Command("mkfs.btrfs", "-q", img).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.btrfs: %v %s", err, out)
	}
	mnt := filepath.Join(dir, "mnt")
	os.Mkdir(mnt, 0o755)
	if out, err := exec.Command("mount", "-o", "loop", img, mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a btrfs image here: %v %s", err, out)
	}
	t.Cleanup(func() { unix.Unmount(mnt, unix.MNT_DETACH) })
	lp := filepath.Join(mnt, "lxc")
	dropLockDirs(t, dir)
	createBacked(t, lp, "stor-bt", "busybox", "-B", "btrfs")
	t.Cleanup(func() { run(t, nil, "lxc-stop", "-P", lp, "-n", "stor-btsnap", "-k") })
	mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-bt", "-N", "stor-btsnap", "-s")
	cfg, _ := os.ReadFile(filepath.Join(lp, "stor-btsnap", "config"))
	if !strings.Contains(string(cfg), "lxc.rootfs.path = btrfs:"+lp+"/stor-btsnap/rootfs\n") {
		t.Errorf("config:\n%s", cfg)
	}
	var st unix.Stat_t
	if err := unix.Stat(filepath.Join(lp, "stor-btsnap", "rootfs"), &st); err != nil || st.Ino != 256 {
		t.Errorf("the clone's rootfs is no subvolume (inode %d, %v)", st.Ino, err)
	}
	startRunning(t, lp, "stor-btsnap")
	mustRun(t, "lxc-attach", "-P", lp, "-n", "stor-btsnap", "--", "sh", "-c", "echo x > /only-snap")
	killStop(t, lp, "stor-btsnap")
	if _, err := os.Stat(filepath.Join(lp, "stor-bt", "rootfs", "only-snap")); !os.IsNotExist(err) {
		t.Error("the snapshot's write reached its origin")
	}
	startRunning(t, lp, "stor-bt")
	killStop(t, lp, "stor-bt")
	// -B best picks btrfs where the lxcpath is on btrfs.
	createBacked(t, lp, "stor-btbest", "busybox", "-B", "best")
	if cfg, _ := os.ReadFile(filepath.Join(lp, "stor-btbest", "config")); !strings.Contains(string(cfg), "lxc.rootfs.path = btrfs:") {
		t.Errorf("-B best on btrfs:\n%s", cfg)
	}
	for _, c := range []string{"stor-btsnap", "stor-bt", "stor-btbest"} {
		mustRun(t, "lxc-destroy", "-P", lp, "-n", c)
	}
	out, _ := exec.Command("btrfs", "subvolume", "list", mnt).CombinedOutput()
	if strings.Contains(string(out), "stor-") {
		t.Errorf("subvolumes left: %s", out)
	}
}

// A full copy keeps device nodes, hard links, xattrs and holes.
func TestCopyDirFidelity(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "stor-fid")
	rootfs := filepath.Join(lp, "stor-fid", "rootfs")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(unix.Mknod(filepath.Join(rootfs, "dev-null"), unix.S_IFCHR|0o600, int(unix.Mkdev(1, 3))))
	must(os.WriteFile(filepath.Join(rootfs, "linked"), []byte("one"), 0o640))
	must(os.Link(filepath.Join(rootfs, "linked"), filepath.Join(rootfs, "etc", "linked2")))
	must(unix.Setxattr(filepath.Join(rootfs, "linked"), "user.stor", []byte("kept"), 0))
	f, err := os.Create(filepath.Join(rootfs, "sparse"))
	must(err)
	f.WriteAt([]byte("tail"), 32<<20)
	f.Close()
	mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-fid", "-N", "stor-fid2")
	nr := filepath.Join(lp, "stor-fid2", "rootfs")
	var a, b unix.Stat_t
	must(unix.Lstat(filepath.Join(nr, "dev-null"), &a))
	if a.Mode != unix.S_IFCHR|0o600 || a.Rdev != unix.Mkdev(1, 3) {
		t.Errorf("device node: mode %o rdev %x", a.Mode, a.Rdev)
	}
	must(unix.Lstat(filepath.Join(nr, "linked"), &a))
	must(unix.Lstat(filepath.Join(nr, "etc", "linked2"), &b))
	if a.Ino != b.Ino {
		t.Error("hard link split")
	}
	buf := make([]byte, 8)
	if n, err := unix.Getxattr(filepath.Join(nr, "linked"), "user.stor", buf); err != nil || string(buf[:n]) != "kept" {
		t.Errorf("xattr: %q %v", buf[:n], err)
	}
	var s, d unix.Stat_t
	must(unix.Stat(filepath.Join(rootfs, "sparse"), &s))
	must(unix.Stat(filepath.Join(nr, "sparse"), &d))
	if d.Size != s.Size || d.Blocks > s.Blocks+16 {
		t.Errorf("sparse file: %d bytes in %d blocks, origin %d in %d", d.Size, d.Blocks, s.Size, s.Blocks)
	}
}

// LXC 5.0.2 and golxc agree about snapshot clones: the same config and
// dependency files for the same chain, LXC's lxc-ls lists golxc's clones,
// and each side's lxc-destroy honours the other's records.
func TestCopyAgreesWithLXC(t *testing.T) {
	needRoot(t)
	lxcCopy := lxcTool(t, "lxc-copy")
	lxcDestroy := lxcTool(t, "lxc-destroy")
	lxcLs := lxcTool(t, "lxc-ls")
	ours, theirs := lxcpath(t), lxcpath(t)
	for _, lp := range []string{ours, theirs} {
		busybox(t, lp, "stor-dbase")
	}
	mustRun(t, "lxc-copy", "-P", ours, "-n", "stor-dbase", "-N", "stor-dweb", "-s", "-B", "overlay")
	mustRun(t, "lxc-copy", "-P", ours, "-n", "stor-dweb", "-N", "stor-dsite", "-s")
	for _, args := range [][]string{{"-n", "stor-dbase", "-N", "stor-dweb", "-s", "-B", "overlay"}, {"-n", "stor-dweb", "-N", "stor-dsite", "-s"}} {
		if r := runPath(t, nil, lxcCopy, append([]string{"-P", theirs}, args...)...); r.code != 0 {
			t.Fatalf("LXC's lxc-copy %v: %s", args, r)
		}
	}
	for _, f := range []string{"stor-dbase/lxc_snapshots", "stor-dweb/lxc_snapshots", "stor-dweb/lxc_rdepends", "stor-dsite/lxc_rdepends", "stor-dweb/config", "stor-dsite/config"} {
		a, errA := os.ReadFile(filepath.Join(ours, f))
		b, errB := os.ReadFile(filepath.Join(theirs, f))
		if errA != nil || errB != nil || strings.ReplaceAll(string(a), ours, "LP") != strings.ReplaceAll(string(b), theirs, "LP") {
			t.Errorf("%s differs (%v %v):\ngolxc:\n%s\nLXC:\n%s", f, errA, errB, a, b)
		}
	}
	for _, f := range []string{"stor-dweb/overlay/delta", "stor-dweb/overlay/work", "stor-dsite/overlay/delta", "stor-dsite/rootfs"} {
		if _, err := os.Stat(filepath.Join(ours, f)); err != nil {
			t.Errorf("golxc's clone lacks %s, as LXC lays it out", f)
		}
	}
	if r := runPath(t, nil, lxcLs, "-1", "-P", ours); r.code != 0 || r.stdout != "stor-dbase\nstor-dsite\nstor-dweb\n" {
		t.Errorf("LXC's lxc-ls of golxc's clones: %s", r)
	}
	if r := runPath(t, nil, lxcDestroy, "-P", ours, "-n", "stor-dweb"); r.code != 1 || !strings.Contains(r.stderr, "stor-dweb has clones") {
		t.Errorf("LXC destroyed golxc's origin: %s", r)
	}
	// Each side destroys the other's clones and updates the records.
	if r := runPath(t, nil, lxcDestroy, "-P", ours, "-n", "stor-dsite"); r.code != 0 {
		t.Fatalf("LXC's lxc-destroy of golxc's clone: %s", r)
	}
	mustRun(t, "lxc-destroy", "-P", ours, "-n", "stor-dweb")
	mustRun(t, "lxc-destroy", "-P", ours, "-n", "stor-dbase")
	mustRun(t, "lxc-destroy", "-P", theirs, "-n", "stor-dweb", "-s")
	if b, err := os.ReadFile(filepath.Join(theirs, "stor-dbase", "lxc_snapshots")); err == nil {
		t.Errorf("LXC's origin still records clones: %q", b)
	}
	if r := runPath(t, nil, lxcDestroy, "-P", theirs, "-n", "stor-dbase"); r.code != 0 {
		t.Errorf("LXC's lxc-destroy after golxc's: %s", r)
	}
}

// lxc-snapshot: create (with a comment), list (-C), restore under a new
// name and over the original, destroy one and ALL; LXC's lxc-snapshot
// lists golxc's snapshots the same way.
func TestSnapshotLifecycle(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "stor-snap")
	rootfs := filepath.Join(lp, "stor-snap", "rootfs")
	comment := filepath.Join(t.TempDir(), "comment")
	os.WriteFile(comment, []byte("first\nsnapshot\n"), 0o644)
	os.WriteFile(filepath.Join(rootfs, "marker"), []byte("v0"), 0o644)
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-L"), 0, "No snapshots\n", "")
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-c", comment), 0, "", "")
	os.WriteFile(filepath.Join(rootfs, "marker"), []byte("v1"), 0o644)
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap"), 0, "", "")
	os.WriteFile(filepath.Join(rootfs, "marker"), []byte("v2"), 0o644)
	snaps := filepath.Join(lp, "stor-snap", "snaps")
	ts0, _ := os.ReadFile(filepath.Join(snaps, "snap0", "ts"))
	ts1, _ := os.ReadFile(filepath.Join(snaps, "snap1", "ts"))
	if len(ts0) != len("2006:01:02 15:04:05") {
		t.Errorf("ts %q", ts0)
	}
	list := "snap0 (" + snaps + ") " + string(ts0) + "\nsnap1 (" + snaps + ") " + string(ts1) + "\n"
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-L"), 0, list, "")
	withComments := "snap0 (" + snaps + ") " + string(ts0) + "\nfirst\nsnapshot\nsnap1 (" + snaps + ") " + string(ts1) + "\n"
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-L", "-C"), 0, withComments, "")
	if p, err := exec.LookPath("/usr/bin/lxc-snapshot"); err == nil {
		// LXC lists in directory order: compare the lines as a set.
		r := runPath(t, nil, p, "-P", lp, "-n", "stor-snap", "-L")
		if r.code != 0 || len(r.stdout) != len(list) || !strings.Contains(r.stdout, "snap0 ("+snaps+") "+string(ts0)+"\n") {
			t.Errorf("LXC's lxc-snapshot -L of golxc's snapshots: %s", r)
		}
	}
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-r", "snap0", "-N", "stor-snapr"), 0, "", "")
	t.Cleanup(func() { run(t, nil, "lxc-stop", "-P", lp, "-n", "stor-snapr", "-k") })
	if b, _ := os.ReadFile(filepath.Join(lp, "stor-snapr", "rootfs", "marker")); string(b) != "v0" {
		t.Errorf("restored under a new name: marker %q", b)
	}
	startRunning(t, lp, "stor-snapr")
	killStop(t, lp, "stor-snapr")
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-r", "snap1"), 0, "", "")
	if b, _ := os.ReadFile(filepath.Join(rootfs, "marker")); string(b) != "v1" {
		t.Errorf("restored over the original: marker %q", b)
	}
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-L"), 0, list, "")
	startRunning(t, lp, "stor-snap")
	killStop(t, lp, "stor-snap")
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-r", "snap9"), 1, "",
		"lxc-snapshot: Error restoring snapshot snap9: snapshot not found: stor-snap has no snapshot snap9 (see lxc-snapshot -L)\n")
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-r", "snap0", "a", "b"), 1, "", "lxc-snapshot: Too many arguments\n")
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "stor-snap"), 1, "", "lxc-destroy: Destroying stor-snap failed: stor-snap has snapshots\n")
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-d", "snap0"), 0, "", "")
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-L"), 0, "snap1 ("+snaps+") "+string(ts1)+"\n", "")
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-d", "ALL"), 0, "", "")
	expect(t, run(t, nil, "lxc-snapshot", "-P", lp, "-n", "stor-snap", "-L"), 0, "No snapshots\n", "")
	if _, err := os.Stat(snaps); !os.IsNotExist(err) {
		t.Error("snaps directory left after -d ALL")
	}
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "stor-snap"), 0, "", "")
}

// LXC's own lxc-test-cloneconfig and lxc-test-snapdeps (Debian's
// lxc-tests) pass with golxc's tools first on PATH. Both work in the
// default lxcpath under fixed names.
func TestLXCCloneScripts(t *testing.T) {
	needRoot(t)
	for _, c := range []struct{ script, pass string }{
		{"lxc-test-cloneconfig", "PASS"},
		{"lxc-test-snapdeps", "Snapshot clone dependency test passed"},
	} {
		t.Run(c.script, func(t *testing.T) {
			script := lxcTool(t, c.script)
			for _, n := range []string{"lxctestb", "lxctestb2", "snapdeptest", "snapdeptest1"} {
				if _, err := os.Stat(filepath.Join("/var/lib/lxc", n)); err == nil {
					t.Skipf("/var/lib/lxc/%s exists: not ours to replace", n)
				}
			}
			t.Cleanup(func() {
				for _, n := range []string{"lxctestb", "lxctestb2", "snapdeptest"} {
					run(t, nil, "lxc-destroy", "-n", n, "-s")
				}
			})
			cmd := exec.Command(script)
			cmd.Env = append(os.Environ(), "PATH="+binDir+":"+os.Getenv("PATH"))
			out, err := cmd.CombinedOutput()
			if err != nil || !strings.Contains(string(out), c.pass) {
				t.Fatalf("%s: %v\n%s", c.script, err, out)
			}
		})
	}
}

// lxc.hook.clone runs with LXC's arguments and environment, on the
// clone's mounted rootfs; a hook kept in the origin's directory is copied
// and its path rewritten; a failing hook leaves no clone.
func TestCopyCloneHook(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	out := filepath.Join(t.TempDir(), "hook.out")
	hook := filepath.Join(lp, "stor-hk", "clonehook.sh")
	busybox(t, lp, "stor-hk", "lxc.hook.clone = "+hook)
	os.WriteFile(hook, []byte("#!/bin/sh\necho \"$*|$LXC_NAME|$LXC_SRC_NAME|$LXC_ROOTFS_PATH\" > "+out+"\ntest -x \"$LXC_ROOTFS_MOUNT/bin/busybox\"\n"), 0o755)
	mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-hk", "-N", "stor-hk2", "-s", "--", "a1", "a2")
	want := "stor-hk2 lxc clone a1 a2|stor-hk2|stor-hk|overlay:" + lp + "/stor-hk/rootfs:" + lp + "/stor-hk2/overlay/delta\n"
	if b, _ := os.ReadFile(out); string(b) != want {
		t.Errorf("hook saw %q, want %q", b, want)
	}
	cfg, _ := os.ReadFile(filepath.Join(lp, "stor-hk2", "config"))
	if !strings.Contains(string(cfg), "lxc.hook.clone = "+lp+"/stor-hk2/clonehook.sh\n") {
		t.Errorf("hook path not rewritten:\n%s", cfg)
	}
	if st, err := os.Stat(filepath.Join(lp, "stor-hk2", "clonehook.sh")); err != nil || st.Mode().Perm() != 0o755 {
		t.Errorf("hook script not copied: %v", err)
	}
	os.WriteFile(hook, []byte("#!/bin/sh\necho refused >&2\nexit 3\n"), 0o755)
	r := run(t, nil, "lxc-copy", "-P", lp, "-n", "stor-hk", "-N", "stor-hk3")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "exited with status 3: refused") {
		t.Errorf("failing clone hook: %s", r)
	}
	if entries, _ := os.ReadDir(lp); len(entries) != 2 {
		t.Errorf("the failed clone left entries: %v", entries)
	}
}

// A copy that runs out of space fails with one line and leaves nothing
// in the target lxcpath.
func TestCopyFullDisk(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "stor-fd")
	os.WriteFile(filepath.Join(lp, "stor-fd", "rootfs", "blob"), bytes.Repeat([]byte{1}, 4<<20), 0o644)
	small := t.TempDir()
	if err := unix.Mount("tmpfs", small, "tmpfs", 0, "size=2m"); err != nil {
		t.Skipf("tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(small, unix.MNT_DETACH) })
	dropLockDirs(t, small)
	r := run(t, nil, "lxc-copy", "-P", lp, "-n", "stor-fd", "-N", "stor-fd2", "-p", small)
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "no space left on device") {
		t.Errorf("copy onto a full disk: %s", r)
	}
	if entries, _ := os.ReadDir(small); len(entries) != 0 {
		t.Errorf("the failed copy left %v", entries)
	}
}

// lxc-copy -e -- CMD: the command runs in the started clone, which is
// then shut down and, being ephemeral, removed.
func TestCopyEphemeralCommand(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "stor-ecorig")
	t.Cleanup(func() { run(t, nil, "lxc-stop", "-P", lp, "-n", "stor-ecmd", "-k") })
	r := mustRun(t, "lxc-copy", "-P", lp, "-n", "stor-ecorig", "-N", "stor-ecmd", "-e", "--", "sh", "-c", "echo ran-$(hostname)")
	if r.stdout != "Created stor-ecmd as clone of stor-ecorig\nran-stor-ecmd\n" {
		t.Errorf("stdout %q", r.stdout)
	}
	eventually(t, "the ephemeral clone's removal", func() bool {
		_, err := os.Stat(filepath.Join(lp, "stor-ecmd"))
		return os.IsNotExist(err)
	})
	assertClean(t, lp, "stor-ecmd")
}
