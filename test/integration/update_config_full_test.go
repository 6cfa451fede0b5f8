package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// lxc-update-config on a full filesystem fails with one line and leaves the
// config as it was and no temporary file, whether the backup or the new
// config is the write that runs out of space.
func TestUpdateConfigOnFullDiskLeavesNothing(t *testing.T) {
	needRoot(t)
	dir := t.TempDir()
	if err := unix.Mount("tmpfs", dir, "tmpfs", 0, "size=64k,mode=0755"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() { unix.Unmount(dir, unix.MNT_DETACH) })
	legacy := "lxc.utsname = old\nlxc.network.type = veth\nlxc.network.link = lxcbr0\n" + strings.Repeat("# padding\n", 200)
	p := filepath.Join(dir, "config")
	if err := os.WriteFile(p, []byte(legacy), 0o640); err != nil {
		t.Fatal(err)
	}
	// fill leaves free blocks of space on the tmpfs.
	fill := func(free uint64) {
		t.Helper()
		os.Remove(filepath.Join(dir, "filler"))
		var st unix.Statfs_t
		unix.Statfs(dir, &st)
		size := int64((st.Bfree - free) * uint64(st.Bsize))
		if err := os.WriteFile(filepath.Join(dir, "filler"), make([]byte, size), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for _, free := range []uint64{0, 1} { // nothing fits; only the backup fits
		fill(free)
		r := run(t, nil, "lxc-update-config", "-c", p)
		if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "no space left on device") {
			t.Errorf("free=%d: want one line saying no space left: %s", free, r)
		}
		if got, _ := os.ReadFile(p); string(got) != legacy {
			t.Errorf("free=%d: the config changed: %q", free, got)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.Contains(e.Name(), "tmp") {
				t.Errorf("free=%d: temporary file left: %s", free, e.Name())
			}
		}
		if b, err := os.ReadFile(p + ".backup"); err == nil && string(b) != legacy {
			t.Errorf("free=%d: a partial backup was left: %d bytes", free, len(b))
		}
	}
	// With room, the conversion goes through.
	os.Remove(filepath.Join(dir, "filler"))
	expect(t, run(t, nil, "lxc-update-config", "-c", p), 0, "", "")
	if got, _ := os.ReadFile(p); !strings.Contains(string(got), "lxc.uts.name = old\n") {
		t.Errorf("not converted: %q", got)
	}
}
