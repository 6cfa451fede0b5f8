package selfexe

import (
	"os"
	"path/filepath"
	"testing"
)

func writeExe(t *testing.T, p string) {
	t.Helper()
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
}

// TestHelperLayouts: the image helper is found next to golxc (a build
// tree's bin/) and in ../libexec/golxc (make install's layout), and
// $GOLXC_IMAGE_HELPER overrides both.
func TestHelperLayouts(t *testing.T) {
	prefix := t.TempDir()
	golxc := filepath.Join(prefix, "bin", "golxc")
	writeExe(t, golxc)
	t.Setenv(EnvBinary, golxc)
	t.Setenv(EnvImageHelper, "")
	installed := filepath.Join(prefix, "libexec", "golxc", ImageHelper)
	writeExe(t, installed)
	if p, err := Helper(ImageHelper); err != nil || p != installed {
		t.Errorf("install layout: %q %v, want %q", p, err, installed)
	}
	beside := filepath.Join(prefix, "bin", ImageHelper)
	writeExe(t, beside)
	if p, err := Helper(ImageHelper); err != nil || p != beside {
		t.Errorf("build tree: %q %v, want %q", p, err, beside)
	}
	other := filepath.Join(t.TempDir(), "img")
	writeExe(t, other)
	t.Setenv(EnvImageHelper, other)
	if p, err := Helper(ImageHelper); err != nil || p != other {
		t.Errorf("%s: %q %v", EnvImageHelper, p, err)
	}
	t.Setenv(EnvImageHelper, filepath.Join(prefix, "absent"))
	if _, err := Helper(ImageHelper); err == nil {
		t.Errorf("a wrong %s was not an error", EnvImageHelper)
	}
}
