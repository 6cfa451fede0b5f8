package templates

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// dumpTemplatePath makes DIR/lxc-dump, a symlink to the test binary, so the
// template's argv[0] can be checked exactly.
func dumpTemplatePath(t *testing.T) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "lxc-dump")
	if err := os.Symlink(self, p); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestArgv(t *testing.T) {
	a := Args{Path: "/srv/lxc/c1", Name: "c1", Rootfs: "/srv/lxc/c1/rootfs",
		ExtraArgs: []string{"-x", "--opt", "val with space"}, MappedUID: -1, MappedGID: -1}
	want := []string{"lxc-busybox", "--path=/srv/lxc/c1", "--name=c1", "--rootfs=/srv/lxc/c1/rootfs", "-x", "--opt", "val with space"}
	if got := Argv("/usr/share/lxc/templates/lxc-busybox", a); !reflect.DeepEqual(got, want) {
		t.Fatalf("Argv = %q\nwant %q", got, want)
	}
	a.MappedUID, a.MappedGID = 0, 1000
	want = append(want, "--mapped-uid", "0", "--mapped-gid", "1000")
	if got := Argv("/usr/share/lxc/templates/lxc-busybox", a); !reflect.DeepEqual(got, want) {
		t.Fatalf("Argv with idmap = %q\nwant %q", got, want)
	}
}

func TestRunExternalConvention(t *testing.T) {
	tpl := dumpTemplatePath(t)
	out := filepath.Join(t.TempDir(), "dump.json")
	t.Setenv("GOLXC_TEMPLATE_DUMP", out)
	t.Setenv("GOLXC_TEST_MARKER", "kept as is")
	a := Args{Path: "/srv/lxc/ref-tpl", Name: "ref-tpl", Rootfs: "/srv/lxc/ref-tpl/rootfs",
		ExtraArgs: []string{"-x", "--opt", "val", "with space"}, MappedUID: -1, MappedGID: -1}
	if err := RunExternal(tpl, a, RunOptions{}); err != nil {
		t.Fatal(err)
	}
	d := readDump(t, out)
	want := []string{"lxc-dump", "--path=/srv/lxc/ref-tpl", "--name=ref-tpl", "--rootfs=/srv/lxc/ref-tpl/rootfs", "-x", "--opt", "val", "with space"}
	if !reflect.DeepEqual(d.Args, want) {
		t.Fatalf("argv = %q\nwant %q", d.Args, want)
	}
	if !reflect.DeepEqual(d.Env, os.Environ()) {
		t.Fatalf("environment changed:\n%q\nwant\n%q", d.Env, os.Environ())
	}
	if cwd, _ := os.Getwd(); d.Cwd != cwd {
		t.Fatalf("cwd = %q, want %q", d.Cwd, cwd)
	}
	myNS, _ := os.Readlink("/proc/self/ns/mnt")
	if os.Geteuid() == 0 && d.MntNS == myNS {
		t.Fatalf("template ran in the caller's mount namespace %s", myNS)
	}
	for i := range d.Fds {
		if me, _ := os.Readlink(filepath.Join("/proc/self/fd", string(rune('0'+i)))); d.Fds[i] != me {
			t.Fatalf("fd %d is %q, want the caller's %q (inherited)", i, d.Fds[i], me)
		}
	}
}

func TestRunExternalQuiet(t *testing.T) {
	tpl := dumpTemplatePath(t)
	out := filepath.Join(t.TempDir(), "dump.json")
	t.Setenv("GOLXC_TEMPLATE_DUMP", out)
	if err := RunExternal(tpl, Args{Path: "/p/c", Name: "c", Rootfs: "/p/c/rootfs", MappedUID: -1, MappedGID: -1}, RunOptions{Quiet: true}); err != nil {
		t.Fatal(err)
	}
	d := readDump(t, out)
	for i, fd := range d.Fds {
		if fd != "/dev/null" {
			t.Fatalf("quiet: fd %d is %q, want /dev/null", i, fd)
		}
	}
}

func TestRunExternalMountsStayInside(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for a private mount namespace")
	}
	tpl := dumpTemplatePath(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "dump.json")
	target := filepath.Join(dir, "mnt")
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOLXC_TEMPLATE_DUMP", out)
	t.Setenv("GOLXC_TEMPLATE_MOUNT", target)
	if err := RunExternal(tpl, Args{Path: "/p/c", Name: "c", Rootfs: "/p/c/rootfs", MappedUID: -1, MappedGID: -1}, RunOptions{Quiet: true}); err != nil {
		t.Fatal(err)
	}
	if !readDump(t, out).Mounted {
		t.Fatal("template could not mount (test is void)")
	}
	if mountedAt(t, target) {
		detachMount(target)
		t.Fatal("template's mount leaked into the caller's namespace")
	}
}

func TestRunExternalFailureStatus(t *testing.T) {
	tpl := dumpTemplatePath(t)
	t.Setenv("GOLXC_TEMPLATE_DUMP", filepath.Join(t.TempDir(), "dump.json"))
	t.Setenv("GOLXC_TEMPLATE_EXIT", "3")
	err := RunExternal(tpl, Args{Path: "/p/c", Name: "c", Rootfs: "/p/c/rootfs", MappedUID: -1, MappedGID: -1}, RunOptions{Quiet: true})
	if err == nil || err.Error() != "template "+tpl+" exited with status 3" {
		t.Fatalf("err = %v", err)
	}
}

func TestRunExternalShellScript(t *testing.T) {
	dir := t.TempDir()
	tpl := filepath.Join(dir, "lxc-fail")
	if err := os.WriteFile(tpl, []byte("#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/args\"\nexit 1\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := RunExternal(tpl, Args{Path: "/p/c", Name: "c", Rootfs: "/p/c/rootfs", ExtraArgs: []string{"a b"}, MappedUID: -1, MappedGID: -1}, RunOptions{Quiet: true})
	if err == nil || err.Error() != "template "+tpl+" exited with status 1" {
		t.Fatalf("err = %v", err)
	}
	got, _ := os.ReadFile(filepath.Join(dir, "args"))
	if strings.TrimSpace(string(got)) != "--path=/p/c --name=c --rootfs=/p/c/rootfs a b" {
		t.Fatalf("script saw %q", got)
	}
}

func TestRunExternalMissing(t *testing.T) {
	err := RunExternal("/nonexistent/lxc-x", Args{MappedUID: -1, MappedGID: -1}, RunOptions{Quiet: true})
	if err == nil || !strings.Contains(err.Error(), "/nonexistent/lxc-x") {
		t.Fatalf("err = %v", err)
	}
}
