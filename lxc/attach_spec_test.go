package lxc

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/golxc/golxc/internal/config"
)

// The attach carries the container's capability mask and personality as
// the config resolved them: no names go back and forth.
func TestAttachOptionsFromSpec(t *testing.T) {
	for text, want := range map[string]config.Caps{
		"lxc.cap.keep = kill setuid\n": {Keep: true, Set: 1<<5 | 1<<7},
		"lxc.cap.keep = none\n":        {Keep: true},
		"lxc.cap.drop = sys_module\n":  {Set: 1 << 16},
		"":                             {},
		"lxc.arch = armhf\n":           {},
	} {
		dir := t.TempDir()
		if err := os.MkdirAll(filepath.Join(dir, "spf-c"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "spf-c", "config"), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		c, err := NewContainer("spf-c", dir)
		if err != nil {
			t.Fatal(err)
		}
		o, files, err := c.attachOptions(nil, DefaultAttachOptions)
		closeFiles(files)
		if err != nil || o.Caps != want {
			t.Errorf("%q: %+v %v, want %+v", text, o.Caps, err, want)
		}
		wantPer := -1
		if text == "lxc.arch = armhf\n" {
			wantPer = int(X86)
		}
		if o.ArchPersonality != wantPer || o.Personality != -1 {
			t.Errorf("%q: personality %d (caller's %d), want %d", text, o.ArchPersonality, o.Personality, wantPer)
		}
	}
}

// A tool that exits after the attach says so in its options; the
// library's default keeps the caller's signal handling.
func TestAttachOptionsExitsAfter(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "spf-x"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "spf-x", "config"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	c, err := NewContainer("spf-x", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, exits := range []bool{false, true} {
		a := DefaultAttachOptions
		a.ProcessExitsAfter = exits
		o, files, err := c.attachOptions(nil, a)
		closeFiles(files)
		if err != nil || o.ExitsAfterRun != exits {
			t.Errorf("ProcessExitsAfter %v: ExitsAfterRun %v (%v)", exits, o.ExitsAfterRun, err)
		}
	}
}
