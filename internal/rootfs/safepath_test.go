package rootfs

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestResolversAgree drives both the openat2 resolver and the
// component-walk fallback over the same tree.
func TestResolversAgree(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	for _, d := range []string{"a/b", "etc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"inside":     "a/b",           // stays in
		"a/up":       "../etc",        // stays in
		"abs":        outside,         // absolute: escapes
		"a/dotdot":   "../../outside", // climbs above the root
		"a/b/loop":   "loop",
		"a/b/toetc":  "../../etc",
		"a/deepdots": "b/../../..",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	rootf, err := os.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer rootf.Close()

	cases := []struct {
		rel     string
		want    string // path below root the fd must point at; "" = error expected
		escapes string // offending component for escape errors
	}{
		{"a/b", "a/b", ""},
		{"inside", "a/b", ""},
		{"a/up", "etc", ""},
		{"a/b/toetc", "etc", ""},
		{"abs", "", "abs"},
		{"abs/x", "", "abs"},
		{"a/dotdot", "", "a/dotdot"},
		{"a/deepdots/x", "", "a/deepdots"},
		{"../x", "", ""},
		{"a/b/loop", "", ""},
	}
	resolvers := map[string]func(string) (*os.File, error){
		"openat2": func(rel string) (*os.File, error) { return openInRoot(rootf, rel, createNone, false) },
		"walk":    func(rel string) (*os.File, error) { return walkInRoot(rootf, rel, createNone, false) },
	}
	for rname, resolve := range resolvers {
		for _, c := range cases {
			f, err := resolve(c.rel)
			if c.want != "" {
				if err != nil {
					t.Errorf("%s(%q): %v", rname, c.rel, err)
					continue
				}
				if !sameFile(t, f, filepath.Join(root, c.want)) {
					t.Errorf("%s(%q) resolved to the wrong file", rname, c.rel)
				}
				f.Close()
				continue
			}
			if err == nil {
				f.Close()
				t.Errorf("%s(%q): want an error", rname, c.rel)
				continue
			}
			var esc *escapeError
			if c.escapes != "" && (!errors.As(err, &esc) || esc.Component != c.escapes) {
				t.Errorf("%s(%q): want escape via %q, got %v", rname, c.rel, c.escapes, err)
			}
		}
	}
}

func TestWalkCreatesOnlyInside(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	if err := os.Symlink(outside, filepath.Join(root, "evil")); err != nil {
		t.Fatal(err)
	}
	rootf, err := os.Open(root)
	if err != nil {
		t.Fatal(err)
	}
	defer rootf.Close()
	f, err := openInRoot(rootf, "x/y/file", createFile, false)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if st, err := os.Stat(filepath.Join(root, "x/y/file")); err != nil || !st.Mode().IsRegular() {
		t.Errorf("create=file did not make a regular file: %v", err)
	}
	if _, err := openInRoot(rootf, "evil/sub", createDir, false); err == nil {
		t.Error("create through an escaping symlink succeeded")
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("created %v outside the root", ents)
	}
	if err := os.Symlink("x", filepath.Join(root, "inner")); err != nil {
		t.Fatal(err)
	}
	var sym *symlinkError
	if _, err := openInRoot(rootf, "inner/y", createNone, true); !errors.As(err, &sym) {
		t.Errorf("noSymlinks accepted a symlink: %v", err)
	}
}

func sameFile(t *testing.T, f *os.File, p string) bool {
	var a, b unix.Stat_t
	if err := unix.Fstat(int(f.Fd()), &a); err != nil {
		t.Fatal(err)
	}
	if err := unix.Stat(p, &b); err != nil {
		t.Fatal(err)
	}
	return a.Dev == b.Dev && a.Ino == b.Ino
}
