package cgroup

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// TestCollectPidsSubcgroups: processes of sub-cgroups, nested ones too,
// are found, also where the link count lets a leaf go unlisted.
func TestCollectPidsSubcgroups(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, procs string) {
		if err := os.MkdirAll(filepath.Join(dir, rel), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, rel, "cgroup.procs"), []byte(procs), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".", "1\n2\n")
	write("a", "3\n")
	write("a/b", "4\n")
	write("c", "")
	seen := map[int]bool{}
	if err := collectPids(dir, seen); err != nil {
		t.Fatal(err)
	}
	if want := map[int]bool{1: true, 2: true, 3: true, 4: true}; !reflect.DeepEqual(seen, want) {
		t.Errorf("found %v, want %v", seen, want)
	}
	if mayHaveSubdirs(filepath.Join(dir, "a")) != true {
		t.Error("a directory with a subdirectory is not listed")
	}
}
