package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// golxcLinks lists the lxc-* names in dir that are symlinks to golxc (or
// to golxc-query, the query tools' binary).
func golxcLinks(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		if target, err := os.Readlink(filepath.Join(dir, e.Name())); err == nil && (target == "golxc" || target == "golxc-query") && strings.HasPrefix(e.Name(), "lxc-") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// make install's link step links exactly the implemented tools, removes a
// stale link to golxc for a name it does not implement, and leaves LXC's
// files and other links alone; make uninstall's removes only golxc's.
func TestInstallLinksOnlyImplementedTools(t *testing.T) {
	script, err := filepath.Abs("../../scripts/install-links.sh")
	if err != nil {
		t.Fatal(err)
	}
	bindir := t.TempDir()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.Symlink(filepath.Join(binDir, "golxc"), filepath.Join(bindir, "golxc")))
	must(os.Symlink(filepath.Join(binDir, "golxc-query"), filepath.Join(bindir, "golxc-query")))
	must(os.Symlink("golxc", filepath.Join(bindir, "lxc-retired")))                     // stale: a name golxc no longer has
	must(os.WriteFile(filepath.Join(bindir, "lxc-copy"), []byte("#!/bin/sh\n"), 0o755)) // someone else's file
	must(os.Symlink("/usr/bin/lxc-top", filepath.Join(bindir, "lxc-top")))              // someone else's link

	out, err := exec.Command(filepath.Join(bindir, "golxc"), "--list-implemented").Output()
	must(err)
	implemented := strings.Fields(string(out))
	if len(implemented) == 0 || !hasString(implemented, "lxc-create") || hasString(implemented, "lxc-retired") {
		t.Fatalf("golxc --list-implemented = %q", implemented)
	}
	// The names someone else's file and link hold get no golxc link.
	var want []string
	for _, n := range implemented {
		if n != "lxc-copy" && n != "lxc-top" {
			want = append(want, n)
		}
	}

	if out, err := exec.Command(script, bindir).CombinedOutput(); err != nil {
		t.Fatalf("install-links.sh: %v\n%s", err, out)
	}
	if got := golxcLinks(t, bindir); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("links to golxc after install: %q\nwant the implemented tools not taken by others %q", got, want)
	}
	// The query tools link to golxc-query, the others to golxc.
	for _, n := range want {
		target, _ := os.Readlink(filepath.Join(bindir, n))
		if wantTarget := "golxc"; n == "lxc-wait" || n == "lxc-stop" || n == "lxc-info" {
			if target != "golxc-query" {
				t.Errorf("%s -> %q, want golxc-query", n, target)
			}
		} else if target != wantTarget {
			t.Errorf("%s -> %q, want golxc", n, target)
		}
	}
	if r := runPath(t, nil, filepath.Join(bindir, "lxc-wait"), "--version"); r.code != 0 || r.stdout != "5.0.2\n" {
		t.Errorf("lxc-wait --version through golxc-query: %s", r)
	}
	if _, err := os.Lstat(filepath.Join(bindir, "lxc-retired")); !os.IsNotExist(err) {
		t.Errorf("stale lxc-retired link to golxc not removed (%v)", err)
	}
	if _, err := os.Stat(filepath.Join(bindir, "lxc-copy")); err != nil {
		t.Errorf("a file that is not golxc's was removed: %v", err)
	}
	if target, _ := os.Readlink(filepath.Join(bindir, "lxc-top")); target != "/usr/bin/lxc-top" {
		t.Errorf("a link that is not golxc's was changed: lxc-top -> %q", target)
	}
	// A file of someone else's under an implemented tool's name (LXC's own
	// lxc-info with PREFIX=/usr) is not overwritten either.
	other := t.TempDir()
	must(os.Symlink(filepath.Join(binDir, "golxc"), filepath.Join(other, "golxc")))
	must(os.WriteFile(filepath.Join(other, "lxc-info"), []byte("#!/bin/sh\n"), 0o755))
	if out, err := exec.Command(script, other).CombinedOutput(); err != nil {
		t.Fatalf("install-links.sh with a foreign lxc-info: %v\n%s", err, out)
	}
	if fi, err := os.Lstat(filepath.Join(other, "lxc-info")); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("someone else's lxc-info was replaced (%v)", err)
	}
	// The links work: a tool runs through one.
	if r := runPath(t, nil, filepath.Join(bindir, "lxc-ls"), "--version"); r.code != 0 {
		t.Errorf("lxc-ls through the installed link: %s", r)
	}

	if out, err := exec.Command(script, bindir, "--remove").CombinedOutput(); err != nil {
		t.Fatalf("install-links.sh --remove: %v\n%s", err, out)
	}
	if got := golxcLinks(t, bindir); len(got) != 0 {
		t.Errorf("links to golxc left after --remove: %q", got)
	}
	if _, err := os.Lstat(filepath.Join(bindir, "lxc-top")); err != nil {
		t.Errorf("--remove removed a link that is not golxc's: %v", err)
	}
}

func hasString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
