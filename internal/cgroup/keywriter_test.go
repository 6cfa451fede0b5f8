package cgroup

import (
	"os"
	"path/filepath"
	"testing"
)

// Consecutive values of one key go through one open file (a regular file
// shows it: the second value lands after the first instead of over it);
// another key gets its own file, and an error names key and value.
func TestKeyWriterKeepsTheFileOpen(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"devices.allow", "devices.deny"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var w keyWriter
	for _, e := range []kv{{"lxc.cgroup.", "devices.deny", "a"}, {"lxc.cgroup.", "devices.allow", "c 1:3 rwm"},
		{"lxc.cgroup.", "devices.allow", "|c 1:5 rwm"}} {
		if err := w.write(dir, e); err != nil {
			t.Fatal(err)
		}
	}
	err := w.write(dir, kv{"lxc.cgroup.", "memory.nope", "1"})
	w.close()
	if err == nil || err.Error() != "lxc.cgroup.memory.nope = 1: write memory.nope: no such file or directory (no such cgroup file: check the controller is enabled and the name is right)" {
		t.Errorf("missing file: %v", err)
	}
	for f, want := range map[string]string{"devices.deny": "a", "devices.allow": "c 1:3 rwm|c 1:5 rwm"} {
		if b, _ := os.ReadFile(filepath.Join(dir, f)); string(b) != want {
			t.Errorf("%s: %q, want %q", f, b, want)
		}
	}
}
