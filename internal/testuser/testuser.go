// Package testuser creates throw-away host users for root tests of the
// unprivileged paths (id maps, lxc-usernsexec, lxc-user-nic) and removes
// them when the test ends, even when it fails. Only tests import it.
package testuser

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// User is a created user.
type User struct {
	Name     string
	UID, GID uint32
	Home     string
}

// Create makes user name (useradd -m) with the subordinate ranges given as
// "START-END" (usermod --add-subuids/--add-subgids; none: no ranges at
// all, even the ones useradd hands out by itself). Skips unless root. The
// user, its home and its /etc/subuid and /etc/subgid lines are removed at
// cleanup.
func Create(t testing.TB, name string, ranges ...string) User {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (creates a test user)")
	}
	if _, err := exec.LookPath("useradd"); err != nil {
		t.Skip("useradd missing")
	}
	// A user left by a killed earlier run goes first.
	if _, err := user.Lookup(name); err == nil {
		remove(name)
	}
	// SUB_UID_COUNT=0: no automatic range, so the test decides them all.
	if out, err := exec.Command("useradd", "-m", "-s", "/bin/sh", "-K", "SUB_UID_COUNT=0", "-K", "SUB_GID_COUNT=0", name).CombinedOutput(); err != nil {
		t.Fatalf("useradd %s: %v: %s", name, err, out)
	}
	t.Cleanup(func() { remove(name) })
	// One usermod per range keeps the file in the order given (one call
	// with several adds them in reverse).
	for _, r := range ranges {
		args := []string{"--add-subuids", r, "--add-subgids", r, name}
		if out, err := exec.Command("usermod", args...).CombinedOutput(); err != nil {
			t.Fatalf("usermod %v: %v: %s", args, err, out)
		}
	}
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.ParseUint(u.Uid, 10, 32)
	gid, _ := strconv.ParseUint(u.Gid, 10, 32)
	return User{Name: name, UID: uint32(uid), GID: uint32(gid), Home: u.HomeDir}
}

// remove deletes the user, its home and its subordinate id lines.
func remove(name string) {
	exec.Command("userdel", "-r", "-f", name).Run()
	// userdel removes the user's subuid lines; a line naming the user
	// by a number it no longer has would stay, but we never write those.
	for _, f := range []string{"/etc/subuid", "/etc/subgid"} {
		dropLines(f, name)
	}
}

// dropLines removes name's lines from a subordinate id file that userdel
// left (it does when the user entry was already gone).
func dropLines(path, name string) {
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), name+":") {
		return
	}
	var keep []string
	for _, l := range strings.SplitAfter(string(data), "\n") {
		if !strings.HasPrefix(l, name+":") && l != "" {
			keep = append(keep, l)
		}
	}
	os.WriteFile(path, []byte(strings.Join(keep, "")), 0o644)
}

// Exe copies the running test binary into a fresh directory that every
// user can traverse (go test's own work directory is 0700), so a test can
// re-execute itself as the test user. The copy is removed at cleanup.
func Exe(t testing.TB) string {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp("", "uns-exe-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(dir, filepath.Base(self))
	if err := copyFile(self, dst, 0o755); err != nil {
		t.Fatal(err)
	}
	return dst
}

func copyFile(src, dst string, mode os.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s: %w", src, err)
	}
	return out.Close()
}
