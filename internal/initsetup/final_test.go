package initsetup

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

func TestLookPath(t *testing.T) {
	dir := t.TempDir()
	exe := filepath.Join(dir, "tool")
	if err := os.WriteFile(exe, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "data"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=/nonexistent:" + dir}
	if p, err := lookPath("tool", env); err != nil || p != exe {
		t.Errorf("lookPath(tool) = %q, %v", p, err)
	}
	if _, err := lookPath("missing", env); !errors.Is(err, unix.ENOENT) {
		t.Errorf("lookPath(missing) = %v, want ENOENT", err)
	}
	// Even root needs one execute bit; data has none.
	if _, err := lookPath("data", env); err == nil {
		t.Error("non-executable file found")
	}
	if p, _ := lookPath("./rel/x", env); p != "./rel/x" {
		t.Errorf("a path with a slash must be used as is, got %q", p)
	}
}

func TestApplyRlimitsRejectsUnknown(t *testing.T) {
	err := applyRlimits([]config.Rlimit{{Name: "bogus", Soft: 1, Hard: 1}})
	if err == nil || err.Error() != "lxc.prlimit.bogus: unknown resource (use e.g. nofile, nproc, core)" {
		t.Errorf("got %v", err)
	}
}
