package templates

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestResolveNone(t *testing.T) {
	for _, name := range []string{"none", "non", "no", "n"} {
		p, b, err := Resolve(name, nil)
		if p != "" || b != "" || err != nil {
			t.Fatalf("Resolve(%q) = %q, %q, %v; want no template", name, p, b, err)
		}
	}
	if IsNone("nonex") || IsNone("busybox") {
		t.Fatal("IsNone accepts non-prefixes of none")
	}
}

func TestResolveBuiltin(t *testing.T) {
	p, b, err := Resolve("busybox", []string{t.TempDir()})
	if err != nil || b != "busybox" || p != "/usr/share/lxc/templates/lxc-busybox" {
		t.Fatalf("Resolve(busybox) = %q, %q, %v", p, b, err)
	}
}

func TestResolveSearchOrder(t *testing.T) {
	first, second := t.TempDir(), t.TempDir()
	write := func(dir, name string, mode os.FileMode) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("#!/bin/sh\n"), mode); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write(first, "lxc-foo", 0o644) // not executable: skipped
	want := write(second, "lxc-foo", 0o755)
	p, b, err := Resolve("foo", []string{first, second})
	if err != nil || b != "" || p != want {
		t.Fatalf("Resolve(foo) = %q, %q, %v; want %q", p, b, err, want)
	}
	mine := write(first, "lxc-bar", 0o755)
	write(second, "lxc-bar", 0o755)
	if p, _, _ := Resolve("bar", []string{first, second}); p != mine {
		t.Fatalf("first directory does not win: %q", p)
	}
}

func TestResolveAbsolute(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "tpl")
	os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755)
	if p, _, err := Resolve(exe, nil); p != exe || err != nil {
		t.Fatalf("Resolve(abs) = %q, %v", p, err)
	}
	plain := filepath.Join(dir, "plain")
	os.WriteFile(plain, nil, 0o644)
	for _, bad := range []string{plain, dir, filepath.Join(dir, "missing")} {
		if _, _, err := Resolve(bad, nil); err == nil || !strings.HasPrefix(err.Error(), "bad template: "+bad) {
			t.Fatalf("Resolve(%q) err = %v", bad, err)
		}
	}
}

func TestResolveNotFoundSaysWhere(t *testing.T) {
	dirs := []string{t.TempDir(), t.TempDir()}
	_, _, err := Resolve("nosuch", dirs)
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Name != "nosuch" {
		t.Fatalf("err = %#v", err)
	}
	msg := err.Error()
	for _, want := range []string{"bad template: nosuch", `Template "nosuch" not found`,
		filepath.Join(dirs[0], "lxc-nosuch"), filepath.Join(dirs[1], "lxc-nosuch")} {
		if !strings.Contains(msg, want) {
			t.Fatalf("error %q lacks %q", msg, want)
		}
	}
	if _, _, err := Resolve("sub/x", dirs); err == nil {
		t.Fatal("relative path resolved")
	}
}

func TestResolveDownloadIsBuiltin(t *testing.T) {
	path, builtin, err := Resolve("download", []string{t.TempDir()})
	if err != nil || builtin != BuiltinDownload || path != "/usr/share/lxc/templates/lxc-download" {
		t.Fatalf("Resolve(download) = %q %q %v", path, builtin, err)
	}
}
