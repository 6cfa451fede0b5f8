package storage

import (
	"os"
	"path/filepath"
	"testing"
)

// Overlay clones as LXC lays them out: the clone's upper and work
// directories in its own directory, a directory origin as the lower
// layer, an overlay origin's lower layer shared and its upper one copied.
func TestOverlayClonePaths(t *testing.T) {
	lp := t.TempDir()
	origUpper := filepath.Join(lp, "web", "overlay", "delta")
	os.MkdirAll(filepath.Join(origUpper, "etc"), 0o755)
	os.WriteFile(filepath.Join(origUpper, "etc", "changed"), []byte("x"), 0o644)
	job := func(orig, oldName, oldPath, newName, newPath string) *CloneJob {
		b := filepath.Join(newPath, ".build-"+newName)
		os.MkdirAll(b, 0o770)
		return &CloneJob{Orig: Parse(orig), OldName: oldName, OldPath: oldPath, NewName: newName, NewPath: newPath,
			BuildDir: b, Type: "overlay", Snapshot: true}
	}
	j := job("dir:"+lp+"/base/rootfs", "base", lp, "web2", lp)
	raw, err := Clone(j)
	if want := "overlay:" + lp + "/base/rootfs:" + lp + "/web2/overlay/delta"; err != nil || raw != want {
		t.Errorf("dir origin: %q %v, want %q", raw, err, want)
	}
	for _, d := range []string{"rootfs", "overlay/delta", "overlay/work"} {
		if st, err := os.Stat(filepath.Join(j.BuildDir, d)); err != nil || !st.IsDir() {
			t.Errorf("build lacks %s", d)
		}
	}
	j = job("overlay:"+lp+"/base/rootfs:"+origUpper, "web", lp, "site", lp)
	raw, err = Clone(j)
	if want := "overlay:" + lp + "/base/rootfs:" + lp + "/site/overlay/delta"; err != nil || raw != want || j.NoRdep() {
		t.Errorf("overlay origin: %q %v (no rdep %v), want %q", raw, err, j.NoRdep(), want)
	}
	if b, err := os.ReadFile(filepath.Join(j.BuildDir, "overlay/delta/etc/changed")); err != nil || string(b) != "x" {
		t.Errorf("the origin's upper layer was not copied: %q %v", b, err)
	}
	// A snapshot into the origin's snaps directory records no dependency.
	snaps := filepath.Join(lp, "web", "snaps")
	j = job("overlay:"+lp+"/base/rootfs:"+origUpper, "web", lp, "snap0", snaps)
	if _, err := Clone(j); err != nil || !j.NoRdep() {
		t.Errorf("snapshot in snaps: %v, no rdep %v", err, j.NoRdep())
	}
	// What LXC refuses, golxc refuses with what to do instead.
	j = job("dir:"+lp+"/base/rootfs", "base", lp, "c", lp)
	j.Snapshot = false
	if _, err := Clone(j); err == nil {
		t.Error("an overlay copy without -s was accepted")
	}
	j.Type, j.Snapshot = "dir", true
	if _, err := Clone(j); err == nil {
		t.Error("a directory snapshot was accepted")
	}
	j.Type = "loop"
	if _, err := Clone(j); err == nil {
		t.Error("a loop snapshot was accepted")
	}
	j.Orig, j.Type = Parse("btrfs:"+lp+"/x/rootfs"), "overlay"
	if _, err := Clone(j); err == nil {
		t.Error("an overlay clone of btrfs was accepted")
	}
}
