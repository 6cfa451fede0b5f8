package integration

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// Hostile input: names, configs, template output and lxcpaths an attacker
// (or a typo) controls. Each gets one clear error line and changes nothing.

// oneErrorLine asserts a refusal: exit 1, nothing on stdout, exactly one
// stderr line, and no raw control character in it.
func oneErrorLine(t *testing.T, what string, r result) {
	t.Helper()
	line := strings.TrimSuffix(r.stderr, "\n")
	if r.code != 1 || r.stdout != "" || r.stderr == line || strings.ContainsAny(line, "\n\r\x00\x1b\x01\t") {
		t.Errorf("%s: want exit 1 and one clean error line, got %s", what, r)
	}
}

// treeSum lists every path under dir with its type and content hash, so
// "nothing changed" can be compared exactly.
func treeSum(t *testing.T, dir string) string {
	t.Helper()
	var out []string
	filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			out = append(out, p+" ERR "+err.Error())
			return nil
		}
		line := fmt.Sprintf("%s %v", p, fi.Mode())
		if fi.Mode().IsRegular() {
			b, _ := os.ReadFile(p)
			line += fmt.Sprintf(" %x", sha256.Sum256(b))
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			l, _ := os.Readlink(p)
			line += " -> " + l
		}
		out = append(out, line)
		return nil
	})
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// TestHostileNames: every tool taking -n refuses names that could leave
// the lxcpath, hide a container or break line-oriented output, with one
// line and without creating anything (not even a lock file). Decision
// against LXC 5.0.2, which accepts all of these: its lxc-create writes
// LXCPATH/../config for "..", LXCPATH/../x for "../x", and lets newlines
// into lxc-ls output. golxc refuses them; unicode names stay accepted.
func TestHostileNames(t *testing.T) {
	needRoot(t)
	parent := t.TempDir()
	dropLockDirs(t, parent)
	lp := filepath.Join(parent, "lp")
	os.Mkdir(lp, 0o755)
	t.Cleanup(func() { os.RemoveAll(filepath.Join("/run/lxc/lock", parent)) })
	lockDir := filepath.Join("/run/lxc/lock", lp)
	names := []string{"../x", "..", ".", "a/b", "/abs", ".hidden", strings.Repeat("n", 300),
		"a\nb", "a b", "a\tb", "a\x01b", "a\x1b[2Jb", "", "a\x00b"[:1] + "\xff\xfe"}
	before := treeSum(t, parent)
	for _, tool := range []string{"lxc-create", "lxc-destroy", "lxc-start", "lxc-info", "lxc-attach", "lxc-stop"} {
		for _, n := range names {
			args := []string{"-P", lp, "-n", n}
			switch tool {
			case "lxc-create":
				args = append(args, "-t", "none")
			case "lxc-attach":
				args = append(args, "--", "/bin/true")
			}
			oneErrorLine(t, fmt.Sprintf("%s -n %q", tool, n), run(t, nil, tool, args...))
		}
	}
	if after := treeSum(t, parent); after != before {
		t.Errorf("hostile names changed the lxcpath's parent:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	if ents, _ := os.ReadDir(lockDir); len(ents) != 0 {
		t.Errorf("lock files made for refused names: %v", ents)
	}
	if _, err := os.Lstat(filepath.Join("/run/lxc/lock", parent, "x")); err == nil {
		t.Errorf("a lock file escaped to %s", filepath.Join("/run/lxc/lock", parent, "x"))
	}
	// lxc-ls treats its filter as a regex, never as a path.
	expect(t, run(t, nil, "lxc-ls", "-P", lp, "--filter", "../x"), 0, "", "")

	// A unicode name is a plain directory name: accepted, like LXC.
	u := "ünïcødé-容器"
	expect(t, run(t, nil, "lxc-create", "-P", lp, "-n", u, "-t", "none"), 0, "", "")
	expect(t, run(t, nil, "lxc-ls", "-P", lp, "-1"), 0, u+"\n", "")
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", u), 0, "", "")
	if ents, _ := os.ReadDir(lp); len(ents) != 0 {
		t.Errorf("lxcpath not empty after destroy: %v", ents)
	}
}

// TestHostileConfigs: oversized values, include loops, bad idmaps and
// binary garbage are refused at load with one line naming file:line;
// the config is left byte for byte as it was and a start leaves nothing.
func TestHostileConfigs(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "hostcfg1"
	cfg := busybox(t, lp, name)
	base, err := os.ReadFile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	loop := filepath.Join(t.TempDir(), "loop.conf")
	os.WriteFile(loop, []byte("lxc.include = "+loop+"\n"), 0o644)
	chain := t.TempDir()
	for i := 0; i < 100; i++ {
		os.WriteFile(filepath.Join(chain, fmt.Sprint(i)), []byte(fmt.Sprintf("lxc.include = %s/%d\n", chain, i+1)), 0o644)
	}
	garbage := make([]byte, 64<<10)
	rand.New(rand.NewSource(1)).Read(garbage)
	// A NUL byte ends a config for LXC and golxc (the rest is ignored, with
	// a warning): keep the garbage NUL-free so the key after it is read.
	for i := range garbage {
		if garbage[i] == 0 {
			garbage[i] = 1
		}
	}
	cases := []struct {
		what, tail, want string
		startOnly        bool // LXC loads it too; the start must fail
	}{
		{"10 MB value", "lxc.uts.name = " + strings.Repeat("h", 10<<20), "lxc.uts.name", false},
		{"include loop", "lxc.include = " + loop, "lxc.include", false},
		{"100-deep include chain", "lxc.include = " + chain + "/0", "lxc.include", false},
		{"idmap with 5 fields", "lxc.idmap = u 0 100000 65536 9", "lxc.idmap", false},
		{"idmap bad type", "lxc.idmap = x 0 100000 65536", "lxc.idmap", false},
		{"idmap negative", "lxc.idmap = u 0 -1 65536", "lxc.idmap", false},
		{"idmap overflow", "lxc.idmap = u 0 4294967295 4294967295\nlxc.idmap = g 0 100000 65536", "uid_map", true},
		// LXC ignores lines not starting with "lxc.", so random bytes
		// alone load; a garbage key after them must still be refused.
		{"binary garbage", string(garbage) + "\nlxc.\xff\x1b[2J\x01 = \x1b]0;pwned\x07", "config:", false},
	}
	for _, c := range cases {
		text := string(base) + c.tail + "\n"
		if err := os.WriteFile(cfg, []byte(text), 0o640); err != nil {
			t.Fatal(err)
		}
		for _, tool := range []string{"lxc-info", "lxc-start"} {
			if c.startOnly && tool == "lxc-info" {
				continue
			}
			r := run(t, nil, tool, "-P", lp, "-n", name)
			oneErrorLine(t, c.what+": "+tool, r)
			if !strings.Contains(r.stderr, c.want) {
				t.Errorf("%s: %s error %q does not name %q", c.what, tool, r.stderr, c.want)
			}
		}
		if got, _ := os.ReadFile(cfg); string(got) != text {
			t.Errorf("%s: the config file was changed", c.what)
		}
		assertClean(t, lp, name)
	}

	// 100k lines are no attack: the container starts with all of them
	// (short ones: 100k longer variables exceed the kernel's ARG_MAX,
	// which lxc-start reports as "argument list too long").
	var b strings.Builder
	b.Write(base)
	for i := 0; i < 100000; i++ {
		fmt.Fprintf(&b, "lxc.environment = V%d=x\n", i)
	}
	os.WriteFile(cfg, []byte(b.String()), 0o640)
	startRunning(t, lp, name)
	env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", initPid(t, lp, name)))
	if err != nil || !bytes.Contains(env, []byte("\x00V99999=x\x00")) {
		t.Errorf("init of a 100k-line config lacks its last variable (%v)", err)
	}
	killStop(t, lp, name)
	assertClean(t, lp, name)
}

// templateScript writes an executable template running body (sh) with
// $path and $rootfs set from LXC's --path/--rootfs arguments.
func templateScript(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "lxc-hostile")
	script := "#!/bin/sh\nfor a; do case $a in --path=*) path=${a#--path=};; --rootfs=*) rootfs=${a#--rootfs=};; esac; done\n" + body + "\n"
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestHostileTemplateOutput: what a template leaves behind is container
// territory; golxc must not write through a symlinked config, follow a
// symlinked rootfs or container dir when cleaning up or destroying.
func TestHostileTemplateOutput(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	t.Cleanup(func() { os.RemoveAll(filepath.Join("/run/lxc/lock", lp)) })
	victim := t.TempDir()
	os.WriteFile(filepath.Join(victim, "passwd"), []byte("root:x:0:0\n"), 0o644)
	os.WriteFile(filepath.Join(victim, "config"), []byte("keep me\n"), 0o644)
	os.Mkdir(filepath.Join(victim, "dir"), 0o755)
	os.WriteFile(filepath.Join(victim, "dir", "file"), []byte("keep\n"), 0o644)
	want := treeSum(t, victim)

	refused := []struct{ what, body string }{
		{"config replaced by a symlink to a host file", `rm -f "$path/config"; ln -s ` + victim + `/passwd "$path/config"`},
		{"config replaced by a fifo", `rm -f "$path/config"; mkfifo "$path/config"`},
		{"garbage config", `printf 'lxc.bogus.key = 1\n' >> "$path/config"`},
		{"container dir replaced by a symlink", `rm -rf "$path"; ln -s ` + victim + ` "$path"`},
	}
	for i, c := range refused {
		name := fmt.Sprintf("htmpl%d", i)
		r := run(t, nil, "lxc-create", "-P", lp, "-n", name, "-t", templateScript(t, c.body))
		oneErrorLine(t, c.what, r)
		if _, err := os.Lstat(filepath.Join(lp, name)); err == nil {
			t.Errorf("%s: %s left behind", c.what, filepath.Join(lp, name))
		}
		if got := treeSum(t, victim); got != want {
			t.Fatalf("%s: the host directory changed:\n%s\nwant:\n%s", c.what, got, want)
		}
	}

	// A rootfs replaced by a symlink to a host dir: destroy removes the
	// link, never the host files.
	name := "htmplroot"
	expect(t, run(t, nil, "lxc-create", "-P", lp, "-n", name, "-t",
		templateScript(t, `rmdir "$rootfs"; ln -s `+victim+`/dir "$rootfs"`)), 0, "", "")
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", name), 0, "", "")
	if got := treeSum(t, victim); got != want {
		t.Fatalf("destroy followed the rootfs symlink:\n%s\nwant:\n%s", got, want)
	}
	if _, err := os.Lstat(filepath.Join(lp, name)); err == nil {
		t.Errorf("destroy left %s", filepath.Join(lp, name))
	}
}

// TestLxcpathSymlinkAndSpaces: LXC's lxc-test-symlink (an lxcpath that is
// a symlink to the real one) and an lxcpath with spaces work for the whole
// lifecycle.
func TestLxcpathSymlinkAndSpaces(t *testing.T) {
	needRoot(t)
	real := lxcpath(t)
	link := filepath.Join(t.TempDir(), "lxcsym")
	dropLockDirs(t, filepath.Dir(link))
	if err := os.Symlink(real, link); err != nil {
		t.Fatal(err)
	}
	spaced := filepath.Join(t.TempDir(), "my lxc path", "with  spaces")
	dropLockDirs(t, filepath.Dir(filepath.Dir(spaced)))
	if err := os.MkdirAll(spaced, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, lp := range []string{link, spaced} {
		lp := lp
		t.Cleanup(func() {
			run(t, nil, "lxc-stop", "-P", lp, "-n", fmt.Sprintf("hsym%d", i), "-k")
			os.RemoveAll(filepath.Join("/run/lxc/lock", lp))
			os.RemoveAll(filepath.Join("/run/lxc/lock", real))
		})
		name := fmt.Sprintf("hsym%d", i)
		conf := filepath.Join(t.TempDir(), "c.conf")
		os.WriteFile(conf, []byte("lxc.net.0.type = empty\n"), 0o644)
		mustRun(t, "lxc-create", "-P", lp, "-n", name, "-t", "busybox", "-f", conf)
		startRunning(t, lp, name)
		r := mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "/bin/echo", "inside")
		if r.stdout != "inside\n" {
			t.Errorf("attach via %q: %s", lp, r)
		}
		expect(t, run(t, nil, "lxc-ls", "-P", lp, "--running", "-1"), 0, name+"\n", "")
		mustRun(t, "lxc-stop", "-P", lp, "-n", name, "-k")
		expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "STOPPED\n", "")
		assertClean(t, lp, name)
		mustRun(t, "lxc-destroy", "-P", lp, "-n", name)
		if _, err := os.Lstat(filepath.Join(lp, name)); err == nil {
			t.Errorf("destroy via %q left the container", lp)
		}
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the lxcpath symlink itself was replaced or removed (%v)", err)
	}
}

// hostMounted reports a mount point of the host at or under dir.
func hostMounted(dir string) bool {
	mi, _ := os.ReadFile("/proc/self/mountinfo")
	for _, l := range strings.Split(string(mi), "\n") {
		if f := strings.Fields(l); len(f) > 4 && (f[4] == dir || strings.HasPrefix(f[4], dir+"/")) {
			return true
		}
	}
	return false
}

// TestMountTargetSymlinkComponents: a symlink leading out of the rootfs at
// the first, a middle or the last component of a mount target makes the
// start fail; nothing is created, mounted or written on the host (without
// the fd-relative walk, create=dir/create=file would mkdir and touch
// through the link onto the victim directory).
func TestMountTargetSymlinkComponents(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "hcomp1"
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "evil"), []byte("x"), 0o644)
	victim := t.TempDir()
	cfg := busybox(t, lp, name)
	base, _ := os.ReadFile(cfg)
	rootfs := filepath.Join(lp, name, "rootfs")
	cases := []struct{ what, link, target, entry string }{
		{"first", "a", victim, "a/b/c none bind,create=dir"},
		{"middle", "a/b", victim, "a/b/c none bind,create=dir"},
		{"middle relative", "a/b", "../../../../../../../../.." + victim, "a/b/c none bind,create=dir"},
		{"last", "a/b/c", victim, "a/b/c none bind,create=dir"},
		{"parent of a file", "a/b", victim, "a/b/f none bind,create=file"},
	}
	for _, c := range cases {
		os.RemoveAll(filepath.Join(rootfs, "a"))
		os.MkdirAll(filepath.Join(rootfs, filepath.Dir(c.link)), 0o755)
		if err := os.Symlink(c.target, filepath.Join(rootfs, c.link)); err != nil {
			t.Fatal(err)
		}
		srcFile := src
		if strings.Contains(c.entry, "create=file") {
			srcFile = filepath.Join(src, "evil")
		}
		os.WriteFile(cfg, []byte(string(base)+"lxc.mount.entry = "+srcFile+" "+c.entry+" 0 0\n"), 0o640)
		before := treeSum(t, victim)
		failedStart(t, lp, name, "lxc.mount.entry", c.link)
		if after := treeSum(t, victim); after != before {
			t.Errorf("%s component: the host directory changed:\n%s", c.what, after)
		}
		if hostMounted(victim) {
			t.Errorf("%s component: something is mounted on the host at %s", c.what, victim)
		}
	}
}

// TestDevSymlinks: /dev, or /dev/null, /dev/console, /dev/pts, /dev/ptmx
// and /dev/tty1 in the rootfs replaced by symlinks to host paths, with
// lxc.autodev = 1 and = 0. Whether the start succeeds or is refused,
// golxc never creates, writes or mounts anything through them.
func TestDevSymlinks(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "hdev1"
	cfg := busybox(t, lp, name)
	base, _ := os.ReadFile(cfg)
	rootfs := filepath.Join(lp, name, "rootfs")
	hostDir := t.TempDir()
	victims := map[string]string{}
	for _, n := range []string{"null", "console", "ptmx", "tty1"} {
		p := filepath.Join(hostDir, n)
		os.WriteFile(p, []byte("host "+n+"\n"), 0o600)
		victims[n] = p
	}
	os.Mkdir(filepath.Join(hostDir, "pts"), 0o700)
	victims["pts"] = filepath.Join(hostDir, "pts")
	want := treeSum(t, hostDir)

	check := func(what string, r result) {
		t.Helper()
		t.Logf("%s: %s", what, strings.TrimSpace(r.stderr))
		if r.code == 0 {
			run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k")
		} else {
			oneErrorLine(t, what, r)
		}
		assertClean(t, lp, name)
		if got := treeSum(t, hostDir); got != want {
			t.Errorf("%s: host files changed:\n%s\nwant:\n%s", what, got, want)
		}
		if hostMounted(hostDir) {
			t.Errorf("%s: a mount landed on the host under %s", what, hostDir)
		}
	}
	dev := filepath.Join(rootfs, "dev")
	saved := dev + ".real"
	if err := os.Rename(dev, saved); err != nil {
		t.Fatal(err)
	}
	for _, autodev := range []string{"1", "0"} {
		os.WriteFile(cfg, []byte(string(base)+"lxc.autodev = "+autodev+"\n"), 0o640)
		os.Remove(dev)
		if err := os.Symlink(hostDir, dev); err != nil {
			t.Fatal(err)
		}
		check("/dev -> host dir, autodev="+autodev, run(t, nil, "lxc-start", "-P", lp, "-n", name))
	}
	os.Remove(dev)
	if err := os.Rename(saved, dev); err != nil {
		t.Fatal(err)
	}
	// One node at a time (a refusal at the first would hide the others),
	// then all of them.
	devBackup := filepath.Join(t.TempDir(), "dev")
	if err := exec.Command("cp", "-a", dev, devBackup).Run(); err != nil {
		t.Fatal(err)
	}
	groups := [][]string{{"null"}, {"console"}, {"pts"}, {"ptmx"}, {"tty1"}, {"null", "console", "pts", "ptmx", "tty1"}}
	for _, autodev := range []string{"0", "1"} {
		os.WriteFile(cfg, []byte(string(base)+"lxc.autodev = "+autodev+"\n"), 0o640)
		for _, g := range groups {
			os.RemoveAll(dev)
			if err := exec.Command("cp", "-a", devBackup, dev).Run(); err != nil {
				t.Fatal(err)
			}
			for _, n := range g {
				os.RemoveAll(filepath.Join(dev, n))
				if err := os.Symlink(victims[n], filepath.Join(dev, n)); err != nil {
					t.Fatal(err)
				}
			}
			check(fmt.Sprintf("/dev/%v -> host, autodev=%s", g, autodev), run(t, nil, "lxc-start", "-P", lp, "-n", name))
		}
	}
}
