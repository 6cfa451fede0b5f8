package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestCreateBusyboxBuiltin(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	conf := filepath.Join(t.TempDir(), "c.conf")
	os.WriteFile(conf, []byte("lxc.net.0.type = empty\nlxc.net.0.hwaddr = 00:16:3e:xx:xx:xx\n"), 0o644)
	r := run(t, nil, "lxc-create", "-P", lp, "-n", "c1", "-t", "busybox", "-f", conf)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	dir := filepath.Join(lp, "c1")
	st, err := os.Stat(dir)
	if err != nil || st.Mode().Perm() != 0o770 {
		t.Fatalf("container dir mode: %v %v", st.Mode(), err)
	}
	cfg, _ := os.ReadFile(filepath.Join(dir, "config"))
	text := string(cfg)
	for _, want := range []string{"# Template used to create this container: ", "lxc.net.0.type = empty",
		"lxc.rootfs.path = dir:" + dir + "/rootfs", "lxc.uts.name = \"c1\"", "lxc.signal.halt = SIGUSR1"} {
		if !strings.Contains(text, want) {
			t.Errorf("config lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "xx:xx") {
		t.Errorf("hwaddr not expanded:\n%s", text)
	}
	for _, f := range []string{"rootfs/bin/busybox", "rootfs/bin/sh", "rootfs/etc/inittab", "rootfs/etc/passwd"} {
		if _, err := os.Lstat(filepath.Join(dir, f)); err != nil {
			t.Errorf("rootfs lacks %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "partial")); !os.IsNotExist(err) {
		t.Errorf("partial marker left behind")
	}
	expect(t, run(t, nil, "lxc-create", "-P", lp, "-n", "c1", "-t", "busybox"), 1, "", "lxc-create: Container already exists\n")
	expect(t, run(t, nil, "lxc-ls", "-1", "-P", lp), 0, "c1\n", "")
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "c1", "-c", "lxc.rootfs.path", "-H"), 0, dir+"/rootfs\n", "")
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "c1"), 0, "", "")
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("destroy left %s", dir)
	}
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "c1"), 1, "", "lxc-destroy: Container is not defined\n")
}

func TestCreateNoneAndMissingTemplate(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	conf := filepath.Join(t.TempDir(), "c.conf")
	os.WriteFile(conf, []byte("# mine\nlxc.uts.name = bare\n\nlxc.net.0.type = empty\n"), 0o644)
	expect(t, run(t, nil, "lxc-create", "-P", lp, "-n", "bare", "-t", "n", "-f", conf), 0, "", "")
	got, _ := os.ReadFile(filepath.Join(lp, "bare", "config"))
	if string(got) != "# mine\nlxc.uts.name = bare\nlxc.net.0.type = empty\n" {
		t.Fatalf("-t none config: %q", got)
	}
	if _, err := os.Stat(filepath.Join(lp, "bare", "rootfs")); !os.IsNotExist(err) {
		t.Fatal("-t none made a rootfs")
	}
	r := run(t, nil, "lxc-create", "-P", lp, "-n", "x", "-t", "nosuchtemplate")
	if r.code != 1 || !strings.HasPrefix(r.stderr, "lxc-create: bad template: nosuchtemplate") || strings.Count(r.stderr, "\n") != 1 {
		t.Fatalf("%s", r)
	}
	if _, err := os.Stat(filepath.Join(lp, "x")); !os.IsNotExist(err) {
		t.Fatal("failed create left a directory")
	}
	expect(t, run(t, nil, "lxc-create", "-P", lp, "-n", "y"), 1, "",
		"lxc-create: A template must be specified\nlxc-create: Use \"none\" if you really want a container without a rootfs\n")
	expect(t, run(t, nil, "lxc-create", "-P", lp, "-n", "y", "-t", "none", "-B", "zfs2"), 1, "", "lxc-create: zfs2 is not a valid backing storage type\n")
}

// An external template gets LXC's argv and its failure removes everything.
func TestCreateExternalTemplate(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	tdir := t.TempDir()
	dump := filepath.Join(tdir, "argv")
	tmpl := filepath.Join(tdir, "lxc-dump")
	os.WriteFile(tmpl, []byte("#!/bin/sh\nfor a in \"$@\"; do echo \"$a\"; done > "+dump+
		"\n[ -n \"$FAIL\" ] && exit 3\necho 'lxc.uts.name = fromtemplate' >> \"${1#--path=}/config\"\nexit 0\n"), 0o755)
	rootfs := filepath.Join(tdir, "myroot")
	r := run(t, nil, "lxc-create", "-P", lp, "-n", "ext", "-t", tmpl, "--dir", rootfs, "--", "-x", "with space")
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	argv, _ := os.ReadFile(dump)
	want := "--path=" + lp + "/ext\n--name=ext\n--rootfs=" + rootfs + "\n-x\nwith space\n"
	if string(argv) != want {
		t.Fatalf("template argv %q want %q", argv, want)
	}
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "ext", "-c", "lxc.uts.name", "-c", "lxc.rootfs.path"), 0,
		"lxc.uts.name = fromtemplate\nlxc.rootfs.path = "+rootfs+"\n", "")
	cfg, _ := os.ReadFile(filepath.Join(lp, "ext", "config"))
	if !strings.HasPrefix(string(cfg), "# Template used to create this container: "+tmpl+"\n# Parameters passed to the template: -x with space\n") {
		t.Fatalf("header:\n%s", cfg)
	}
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "ext"), 0, "", "")
	if _, err := os.Stat(rootfs); !os.IsNotExist(err) {
		t.Fatal("destroy kept the --dir rootfs golxc created")
	}

	r = run(t, []string{"FAIL=1"}, "lxc-create", "-P", lp, "-n", "bad", "-t", tmpl)
	if r.code != 1 || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "status 3") {
		t.Fatalf("want one error line naming status 3: %s", r)
	}
	if _, err := os.Stat(filepath.Join(lp, "bad")); !os.IsNotExist(err) {
		t.Fatal("failed template left the container directory")
	}
}

// LXC's own busybox script, run unchanged through our create.
func TestCreateWithLXCBusyboxScript(t *testing.T) {
	needRoot(t)
	script := "/usr/share/lxc/templates/lxc-busybox"
	if _, err := os.Stat(script); err != nil {
		t.Skip("LXC's template scripts are not installed")
	}
	lp := lxcpath(t)
	rootfs := filepath.Join(t.TempDir(), "c2root")
	r := run(t, nil, "lxc-create", "-P", lp, "-n", "c2", "-t", script, "--dir", rootfs)
	if r.code != 0 {
		t.Fatalf("%s", r)
	}
	if _, err := os.Stat(filepath.Join(rootfs, "bin", "busybox")); err != nil {
		t.Fatalf("script did not populate --dir: %v", err)
	}
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "c2", "-c", "lxc.rootfs.path", "-H"), 0, rootfs+"\n", "")
	expect(t, run(t, nil, "lxc-destroy", "-P", lp, "-n", "c2", "-f"), 0, "", "")
}

// A create killed half-way leaves a partial marker; the next command that
// looks at the container removes the remains.
func TestInterruptedCreateIsCleaned(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	tdir := t.TempDir()
	tmpl := filepath.Join(tdir, "lxc-slow")
	started := filepath.Join(tdir, "started")
	os.WriteFile(tmpl, []byte("#!/bin/sh\ntouch "+started+"\nsleep 30\n"), 0o755)
	cmd := exec.Command(filepath.Join(binDir, "lxc-create"), "-P", lp, "-n", "slow", "-t", tmpl)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(started); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	// SIGINT: the create cleans up after itself.
	cmd.Process.Signal(syscall.SIGINT)
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(lp, "slow")); !os.IsNotExist(err) {
		t.Fatalf("interrupted create left %s", filepath.Join(lp, "slow"))
	}
	// SIGKILL: nothing can clean up at once, so the next command does.
	os.Remove(started)
	cmd = exec.Command(filepath.Join(binDir, "lxc-create"), "-P", lp, "-n", "slow", "-t", tmpl)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		if _, err := os.Stat(started); err == nil {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(lp, "slow", "partial")); err != nil {
		t.Fatalf("expected a stale partial marker: %v", err)
	}
	run(t, nil, "lxc-ls", "-P", lp)
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", "slow", "-s"), 1, "", "slow doesn't exist\n")
	if _, err := os.Stat(filepath.Join(lp, "slow")); !os.IsNotExist(err) {
		t.Fatalf("stale partial create not cleaned")
	}
}
