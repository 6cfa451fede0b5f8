package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// smallFS mounts a tmpfs of size bytes on a fresh directory (unmounted
// at the end of the test).
func smallFS(t *testing.T, size int64) string {
	t.Helper()
	dir := lxcpath(t) // its cleanup runs after the unmount below
	if err := syscall.Mount("golxc-it-small", dir, "tmpfs", 0, fmt.Sprintf("size=%d,mode=0755", size)); err != nil {
		t.Fatalf("mount a %d-byte tmpfs on %s: %v", size, dir, err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// expectNoSpaceFailure: the create failed with one ERROR line holding
// want, and left no container in lp.
func expectNoSpaceFailure(t *testing.T, r result, lp, name, want string) {
	t.Helper()
	var errLines []string
	for _, l := range strings.Split(strings.TrimSpace(r.stderr), "\n") {
		if strings.HasPrefix(l, "ERROR:") {
			errLines = append(errLines, l)
		}
	}
	if r.code == 0 || len(errLines) != 1 || !strings.Contains(errLines[0], want) {
		t.Errorf("want one ERROR line with %q: %s", want, r)
	}
	if _, err := os.Stat(filepath.Join(lp, name)); err == nil {
		t.Errorf("the failed create left %s", filepath.Join(lp, name))
	}
	if r := mustRun(t, "lxc-ls", "-P", lp); strings.Contains(r.stdout, name) {
		t.Errorf("the failed container is listed: %q", r.stdout)
	}
}

// expectNoCacheEntry: neither the image's cache entry nor a partial
// download is left in cache.
func expectNoCacheEntry(t *testing.T, cache string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(cache, "download/busybox/img/amd64/default")); err == nil {
		t.Errorf("a failed download left a cache entry in %s", cache)
	}
	if left, _ := filepath.Glob(filepath.Join(cache, "download", ".golxc-partial-*")); len(left) != 0 {
		t.Errorf("a failed download left %v", left)
	}
}

// TestImageDownloadDiskFull: a full cache (while downloading, while
// decompressing) or a full lxcpath (while unpacking) fails the create with
// one line naming the place, the step and what to do; no container, no
// cache entry and no partial download are left, and the create succeeds
// once there is room.
func TestImageDownloadDiskFull(t *testing.T) {
	s := newImageServer(t)
	st, err := os.Stat(filepath.Join(s.dir, "images/busybox/img/amd64/default/b1/rootfs.tar.xz"))
	if err != nil {
		t.Fatal(err)
	}
	xzSize := st.Size()
	name := "img-full"
	for _, c := range []struct {
		size int64
		step string
	}{
		{xzSize / 2, "while downloading rootfs.tar.xz"},
		{xzSize + 256<<10, "while decompressing the rootfs"},
	} {
		cache := smallFS(t, c.size)
		lp := lxcpath(t)
		r := downloadCreate(t, s.env(cache), lp, name, s.imageArgs()...)
		expectNoSpaceFailure(t, r, lp, name, "ERROR: the image cache "+cache+"/download: no space left on device "+c.step+
			"; free space there or set LXC_CACHE_PATH to a directory with room")
		expectNoCacheEntry(t, cache)
	}

	// The cache has room, the lxcpath does not.
	cache := t.TempDir()
	lp := smallFS(t, 512<<10)
	r := downloadCreate(t, s.env(cache), lp, name, s.imageArgs()...)
	expectNoSpaceFailure(t, r, lp, name, "ERROR: "+filepath.Join(lp, name, "rootfs")+": no space left on device while unpacking the rootfs"+
		"; free space there or create the container in another lxcpath (-P)")
	if _, err := os.Stat(filepath.Join(cache, "download/busybox/img/amd64/default/build_id")); err != nil {
		t.Errorf("the verified image was not kept in the cache: %v", err)
	}
	// With room, the same create succeeds, from the cache.
	lp = lxcpath(t)
	r = downloadCreate(t, s.env(cache), lp, name, s.imageArgs()...)
	if r.code != 0 || !strings.Contains(r.stdout, "Using image from local cache") {
		t.Fatalf("create with room: %s", r)
	}
	startAndAttach(t, lp, name)
}
