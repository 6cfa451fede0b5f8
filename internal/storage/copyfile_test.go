package storage

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestCopyFile: a new copy has the source's data and exact mode (the
// umask aside); without replace an existing target is refused untouched,
// with replace it is truncated, rewritten and keeps its own mode.
func TestCopyFile(t *testing.T) {
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	dir := t.TempDir()
	src, dst := filepath.Join(dir, "src"), filepath.Join(dir, "dst")
	if err := os.WriteFile(src, []byte("hook script\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Chmod(src, 0o755)
	if err := CopyFile(src, dst, false); err != nil {
		t.Fatal(err)
	}
	check := func(what, data string, mode fs.FileMode) {
		t.Helper()
		b, _ := os.ReadFile(dst)
		st, err := os.Stat(dst)
		if err != nil || string(b) != data || st.Mode().Perm() != mode {
			t.Errorf("%s: dst %q mode %v (%v), want %q mode %v", what, b, st.Mode().Perm(), err, data, mode)
		}
	}
	check("new copy", "hook script\n", 0o755)
	os.WriteFile(dst, []byte("a longer text that must not survive\n"), 0o600)
	os.Chmod(dst, 0o640)
	if err := CopyFile(src, dst, false); !errors.Is(err, fs.ErrExist) {
		t.Errorf("copy over an existing file without replace: %v, want it refused", err)
	}
	check("refused copy", "a longer text that must not survive\n", 0o640)
	if err := CopyFile(src, dst, true); err != nil {
		t.Fatal(err)
	}
	check("replace", "hook script\n", 0o640)
	os.Remove(dst)
	if err := CopyFile(src, dst, true); err != nil {
		t.Fatal(err)
	}
	check("replace into a new file (umask 077)", "hook script\n", 0o700)
}
