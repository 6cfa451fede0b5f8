package templates

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
)

func needStaticBusybox(t *testing.T) string {
	t.Helper()
	bin, err := findStaticBusybox()
	if err != nil {
		t.Skip(err)
	}
	return bin
}

// withUmask runs the test under a fixed umask (modes below assume 022).
func withUmask(t *testing.T, mask int) {
	old := syscall.Umask(mask)
	t.Cleanup(func() { syscall.Umask(old) })
}

// newContainerDir makes PARENT/NAME/{config,rootfs/} like lxc-create does
// before running a template.
func newContainerDir(t *testing.T, name, initialConfig string) Args {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	rootfs := filepath.Join(path, "rootfs")
	if err := os.MkdirAll(rootfs, 0o755); err != nil {
		t.Fatal(err)
	}
	initialConfig = strings.ReplaceAll(initialConfig, "ROOTFS", rootfs)
	if err := os.WriteFile(filepath.Join(path, "config"), []byte(initialConfig), 0o640); err != nil {
		t.Fatal(err)
	}
	return Args{Path: path, Name: name, Rootfs: rootfs, MappedUID: -1, MappedGID: -1}
}

func TestBusyboxTree(t *testing.T) {
	bin := needStaticBusybox(t)
	withUmask(t, 0o022)
	a := newContainerDir(t, "bb1", "lxc.net.0.type = empty\nlxc.rootfs.path = dir:ROOTFS\n")
	if err := Busybox(a); err != nil {
		t.Fatal(err)
	}
	modes := map[string]os.FileMode{
		"bin": 0o755 | fs.ModeDir, "dev/pts": 0o755 | fs.ModeDir, "selinux": 0o755 | fs.ModeDir,
		"tmp":            0o777 | fs.ModeDir | fs.ModeSticky,
		"etc/passwd":     0o644,
		"etc/init.d/rcS": 0o744,
		"etc/inittab":    0o644,
		"etc/fstab":      0o644,
		"etc/shadow":     0o644,
		"bin/busybox":    0o755 | fs.ModeSetuid | fs.ModeSetgid,
	}
	for rel, want := range modes {
		st, err := os.Lstat(filepath.Join(a.Rootfs, rel))
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode() != want {
			t.Errorf("%s mode %v, want %v", rel, st.Mode(), want)
		}
	}
	applets, err := busyboxApplets(bin)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range append(applets, "sh", "getty", "udhcpc", "init") {
		target, err := os.Readlink(filepath.Join(a.Rootfs, "bin", name))
		if err != nil || target != "busybox" {
			t.Fatalf("bin/%s -> %q, %v; want symlink to busybox", name, target, err)
		}
	}
	var bb, init syscall.Stat_t
	syscall.Stat(filepath.Join(a.Rootfs, "bin/busybox"), &bb)
	syscall.Stat(filepath.Join(a.Rootfs, "sbin/init"), &init)
	if bb.Ino != init.Ino {
		t.Fatal("sbin/init is not a hard link to bin/busybox")
	}
	inittab, _ := os.ReadFile(filepath.Join(a.Rootfs, "etc/inittab"))
	if !strings.HasPrefix(string(inittab), "::sysinit:/etc/init.d/rcS\n") {
		t.Fatalf("inittab = %q", inittab)
	}
	script := filepath.Join(a.Rootfs, udhcpcScriptPath(bin))
	if out, err := exec.Command("sh", "-n", script).CombinedOutput(); err != nil {
		t.Fatalf("udhcpc script %s: %v %s", script, err, out)
	}
	cfg, _ := os.ReadFile(filepath.Join(a.Path, "config"))
	want := "lxc.net.0.type = empty\nlxc.rootfs.path = dir:" + a.Rootfs + "\n" +
		fmt.Sprintf(busyboxConfig, "bb1") + libEntries() + securityfsEntry
	if string(cfg) != want {
		t.Fatalf("config =\n%s\nwant\n%s", cfg, want)
	}
	if !strings.Contains(string(cfg), "lxc.uts.name = \"bb1\"\n") {
		t.Fatal("uts name line missing")
	}
}

func libEntries() string {
	var s string
	for _, d := range hostLibDirs {
		if isDir("/" + d) {
			s += "lxc.mount.entry = /" + d + " " + d + " none ro,bind 0 0\n"
		}
	}
	return s
}

func TestBusyboxAddsRootfsPathWhenMissing(t *testing.T) {
	needStaticBusybox(t)
	a := newContainerDir(t, "bb2", "")
	a.Rootfs = "" // taken from PATH/rootfs, as lxc-busybox does
	if err := Busybox(a); err != nil {
		t.Fatal(err)
	}
	cfg, _ := os.ReadFile(filepath.Join(a.Path, "config"))
	if !strings.HasPrefix(string(cfg), "lxc.rootfs.path = "+filepath.Join(a.Path, "rootfs")+"\nlxc.signal.halt = SIGUSR1\n") {
		t.Fatalf("config = %q", cfg)
	}
	if _, err := os.Stat(filepath.Join(a.Path, "rootfs/bin/busybox")); err != nil {
		t.Fatal(err)
	}
}

func TestBusyboxNoStaticBinary(t *testing.T) {
	empty := t.TempDir()
	t.Setenv("PATH", empty)
	old := busyboxFallbacks
	t.Cleanup(func() { busyboxFallbacks = old })
	busyboxFallbacks = []string{filepath.Join(empty, "busybox")}
	a := newContainerDir(t, "bb3", "")
	err := Busybox(a)
	if err == nil || err.Error() != errNoStaticBusybox {
		t.Fatalf("err = %v", err)
	}
	// A dynamically linked "busybox" is refused too, naming the file.
	dyn, _ := exec.LookPath("ls")
	if dyn == "" {
		dyn = "/bin/ls"
	}
	if static, _ := isStatic(dyn); static {
		t.Skip(dyn + " is static; cannot test the dynamic case")
	}
	fake := filepath.Join(empty, "busybox")
	if err := os.Symlink(dyn, fake); err != nil {
		t.Fatal(err)
	}
	err = Busybox(a)
	if err == nil || !strings.HasPrefix(err.Error(), errNoStaticBusybox) || !strings.Contains(err.Error(), "dynamically linked") {
		t.Fatalf("err = %v", err)
	}
	if entries, _ := os.ReadDir(a.Rootfs); len(entries) != 0 {
		t.Fatal("rootfs touched although busybox was refused")
	}
}

func TestBusyboxArgs(t *testing.T) {
	a := Args{Path: "/p", Name: "n", MappedUID: -1, MappedGID: -1}
	o, err := parseBusyboxArgs(&a, []string{"--busybox=/x/bb", "-nother", "--rootfs", "/r", "--mapped-uid=5", "operand"})
	if err != nil {
		t.Fatal(err)
	}
	if o.busybox != "/x/bb" || a.Name != "other" || a.Rootfs != "/r" || a.MappedUID != 5 || o.help {
		t.Fatalf("parsed %+v %+v", o, a)
	}
	if o, _ := parseBusyboxArgs(&a, []string{"-h"}); !o.help {
		t.Fatal("-h not recognised")
	}
	for _, bad := range [][]string{{"--bogus"}, {"--mapped"}, {"-z"}, {"--rootfs"}} {
		if _, err := parseBusyboxArgs(&a, bad); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}

// treeEntry is what the differential test compares per file.
type treeEntry struct {
	Mode  fs.FileMode
	Link  string
	Size  int64
	Nlink uint64
}

func snapshotTree(t *testing.T, root string, skipContent map[string]bool) map[string]treeEntry {
	t.Helper()
	out := map[string]treeEntry{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		st, err := os.Lstat(p)
		if err != nil {
			return err
		}
		e := treeEntry{Mode: st.Mode(), Nlink: st.Sys().(*syscall.Stat_t).Nlink}
		if st.Mode()&fs.ModeSymlink != 0 {
			e.Link, _ = os.Readlink(p)
		}
		if st.Mode().IsRegular() && !skipContent[rel] {
			e.Size = st.Size()
		}
		if st.IsDir() {
			e.Nlink = 0 // depends on subdir count only, covered by the paths
		}
		out[rel] = e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBusyboxMatchesLXCScript runs LXC's own lxc-busybox (a shell script,
// used here only as an oracle) and the Go template into two container dirs
// with the same name and compares trees and appended config.
func TestBusyboxMatchesLXCScript(t *testing.T) {
	const script = "/usr/share/lxc/templates/lxc-busybox"
	if _, err := os.Stat(script); err != nil {
		t.Skip("LXC's lxc-busybox not installed")
	}
	bin := needStaticBusybox(t)
	if p, _ := exec.LookPath("busybox"); p == "" {
		t.Skip("busybox not in PATH; lxc-busybox would not find it")
	}
	withUmask(t, 0o022)
	for _, initial := range []string{"lxc.net.0.type = empty\nlxc.rootfs.path = dir:ROOTFS\n", "lxc.net.0.type = empty\n"} {
		ref := newContainerDir(t, "diff", initial)
		cmd := exec.Command("sh", script, "--path="+ref.Path, "--name=diff", "--rootfs="+ref.Rootfs)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("lxc-busybox: %v\n%s", err, out)
		}
		mine := newContainerDir(t, "diff", initial)
		if err := Busybox(mine); err != nil {
			t.Fatal(err)
		}
		skip := map[string]bool{udhcpcScriptPath(bin): true} // our own script text
		want, got := snapshotTree(t, ref.Rootfs, skip), snapshotTree(t, mine.Rootfs, skip)
		var diffs []string
		for rel, w := range want {
			if g, ok := got[rel]; !ok {
				diffs = append(diffs, "missing "+rel)
			} else if g != w {
				diffs = append(diffs, fmt.Sprintf("%s: got %+v want %+v", rel, g, w))
			}
		}
		for rel := range got {
			if _, ok := want[rel]; !ok {
				diffs = append(diffs, "extra "+rel)
			}
		}
		sort.Strings(diffs)
		if len(diffs) > 0 {
			t.Fatalf("rootfs differs from lxc-busybox's (%d):\n%s", len(diffs), strings.Join(diffs, "\n"))
		}
		for _, rel := range []string{"etc/passwd", "etc/group", "etc/init.d/rcS", "etc/inittab", "etc/fstab", "etc/shadow"} {
			w, _ := os.ReadFile(filepath.Join(ref.Rootfs, rel))
			g, _ := os.ReadFile(filepath.Join(mine.Rootfs, rel))
			if string(w) != string(g) {
				t.Errorf("%s = %q, lxc-busybox wrote %q", rel, g, w)
			}
		}
		wcfg, _ := os.ReadFile(filepath.Join(ref.Path, "config"))
		gcfg, _ := os.ReadFile(filepath.Join(mine.Path, "config"))
		wnorm := strings.ReplaceAll(string(wcfg), ref.Path, "PATH")
		gnorm := strings.ReplaceAll(string(gcfg), mine.Path, "PATH")
		if wnorm != gnorm {
			t.Fatalf("config differs\n--- golxc\n%s\n--- lxc-busybox\n%s", gnorm, wnorm)
		}
	}
}
