package integration

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// debAptRoundTrip is the package test: on a machine without
// make install's files, `apt-get install -y ./golxc_*.deb`, the demo's
// steps with the packaged tools, `apt-get purge -y golxc`, and nothing
// of golxc is left. The machine is an overlay of the host's root in a
// private mount and PID namespace (testdata/deb_apt_roundtrip.sh): the
// host's files, dpkg database and mounts are not touched, and every
// process started in there (containers, monitors) dies with it.
func debAptRoundTrip(t *testing.T, deb, srcRoot string) {
	for _, tool := range []string{"unshare", "chroot", "apt-get", "make", "busybox"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("apt-get round trip skipped: %s not installed (the script needs unshare, chroot, apt-get, make and busybox)", tool)
		}
	}
	if fss, err := os.ReadFile("/proc/filesystems"); err != nil || !bytes.Contains(fss, []byte("\toverlay\n")) {
		t.Skip("apt-get round trip skipped: the kernel has no overlay file system (modprobe overlay)")
	}
	name := fmt.Sprintf("debtest-%d", os.Getpid())
	out := t.TempDir()
	host := hostPackageFacts(t)
	t.Cleanup(func() { removeContainerCgroups(t, name) })

	script, _ := filepath.Abs("testdata/deb_apt_roundtrip.sh")
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "unshare", "--mount", "--pid", "--fork", "--propagation", "private",
		"--kill-child", "bash", script, deb, out, srcRoot, name)
	// unshare dies with the test, and its --kill-child takes the
	// namespace's init, hence every process in there, with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	err := cmd.Run()
	if err != nil {
		t.Fatalf("apt-get round trip (%s): %v\n%s", script, err, log.String())
	}
	t.Logf("apt-get round trip: %s", lastLines(log.String(), 3))

	before := readUpperList(t, filepath.Join(out, "before.txt"))
	after := readUpperList(t, filepath.Join(out, "after.txt"))
	owned := map[string]bool{}
	ownedText, err := os.ReadFile(filepath.Join(out, "owned.txt"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(ownedText), "\n") {
		owned[l] = true
	}
	if left := debLeftovers(before, after, owned, hostFile); len(left) > 0 {
		t.Errorf("after apt-get purge golxc (compared with the overlay before apt-get install):\n%s\n\nlog:\n%s",
			strings.Join(left, "\n"), log.String())
	}
	// The package's ldconfig trigger rebuilds the dynamic linker's cache
	// on install and removal: after the purge it lists what it listed
	// before the install (its files are package state, rebuilt not restored).
	if lb, la := readFile(filepath.Join(out, "ldconfig-before.txt")), readFile(filepath.Join(out, "ldconfig-after.txt")); lb != la || !strings.Contains(lb, "liblxc.so.1") {
		t.Errorf("ldconfig -p after the purge differs from before the install:\n%s\nlog:\n%s", lineDiff(lb, la), log.String())
	}
	if left := removeContainerCgroups(t, name); len(left) > 0 {
		t.Errorf("the container's cgroups were left on the host (removed now): %s", strings.Join(left, " "))
	}
	if mi, _ := os.ReadFile("/proc/self/mountinfo"); bytes.Contains(mi, []byte(out)) {
		t.Errorf("a mount of the round trip is visible on the host:\n%s", mi)
	}
	if now := hostPackageFacts(t); now != host {
		t.Errorf("the host changed: before the round trip %q, after %q", host, now)
	}
}

// hostPackageFacts is what the round trip must not change on the host:
// whether dpkg knows golxc, whether /usr/bin/golxc and the lxcpath
// exist, and the host's policy-rc.d (the overlay gets its own). Other
// packages may come and go meanwhile: other tests share the machine.
func hostPackageFacts(t *testing.T) string {
	t.Helper()
	status, _ := exec.Command("dpkg-query", "-W", "-f=${Status}", "golxc").Output()
	facts := []string{"dpkg golxc: " + string(status)}
	for _, p := range []string{"/usr/bin/golxc", "/usr/sbin/policy-rc.d", "/var/tmp/golxc-deb-lxcpath"} {
		typ, hash := hostFile(strings.TrimPrefix(p, "/"))
		facts = append(facts, fmt.Sprintf("%s: %q %s", p, typ, hash))
	}
	return strings.Join(facts, "; ")
}

// hostFile is the overlay's lower layer: the host's root.
func hostFile(path string) (string, string) {
	full := "/" + path
	fi, err := os.Lstat(full)
	if err != nil {
		return "", ""
	}
	switch {
	case fi.IsDir():
		return "d", ""
	case fi.Mode()&fs.ModeSymlink != 0:
		return "l", ""
	case !fi.Mode().IsRegular():
		return "?", ""
	}
	f, err := os.Open(full)
	if err != nil {
		return "f", ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "f", ""
	}
	return "f", hex.EncodeToString(h.Sum(nil))
}

func readUpperList(t *testing.T, path string) map[string]upperEntry {
	t.Helper()
	list, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer list.Close()
	sums, err := os.Open(path + ".sha256")
	if err != nil {
		t.Fatal(err)
	}
	defer sums.Close()
	m, err := parseUpperList(list, sums)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// removeContainerCgroups removes the cgroups a container named name left
// on the host (its processes died with the PID namespace when the round
// trip failed half-way) and returns them.
func removeContainerCgroups(t *testing.T, name string) []string {
	dirs := cgroupDirs(name)
	for _, d := range dirs {
		var sub []string // deepest last
		filepath.WalkDir(d, func(p string, e fs.DirEntry, err error) error {
			if err == nil && e.IsDir() {
				sub = append(sub, p)
			}
			return nil
		})
		for i := len(sub) - 1; i >= 0; i-- {
			if err := os.Remove(sub[i]); err != nil {
				t.Errorf("cgroup %s of the round trip's container: %v", sub[i], err)
			}
		}
	}
	return dirs
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// lineDiff lists the lines only in a ("-") and only in b ("+").
func lineDiff(a, b string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	ma, mb := in(a), in(b)
	var out []string
	for _, l := range strings.Split(a, "\n") {
		if !mb[l] {
			out = append(out, "-"+l)
		}
	}
	for _, l := range strings.Split(b, "\n") {
		if !ma[l] {
			out = append(out, "+"+l)
		}
	}
	return strings.Join(out, "\n")
}
