package image

import (
	"archive/tar"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// addBuild makes dir/images/DIST/REL/amd64/default/BUILD with a meta
// tarball holding metaExpiry (none when "") and a side file (none when "").
func addBuild(t *testing.T, dir, dist, rel, build, metaExpiry, side string) {
	t.Helper()
	b := filepath.Join(dir, ImagesDir, dist, rel, "amd64", DefaultVar, build)
	if err := os.MkdirAll(b, 0o755); err != nil {
		t.Fatal(err)
	}
	ms := []member{{tar.Header{Name: "config", Typeflag: tar.TypeReg}, "lxc.arch = amd64\n"}}
	if metaExpiry != "" {
		ms = append(ms, member{tar.Header{Name: "./expiry", Typeflag: tar.TypeReg}, metaExpiry + "\n"})
	}
	writeTarXZ(t, filepath.Join(b, MetaFile), ms)
	os.WriteFile(filepath.Join(b, RootfsFile), []byte("x"), 0o644)
	if side != "" {
		os.WriteFile(filepath.Join(b, "expiry"), []byte(side+"\n"), 0o644)
	}
}

func TestScanIndexHonoursMetaExpiry(t *testing.T) {
	dir := t.TempDir()
	now := time.Unix(1_800_000_000, 0)
	past, future := strconv.FormatInt(now.Unix()-1, 10), strconv.FormatInt(now.Unix()+3600, 10)
	addBuild(t, dir, "lxcfmt", "gone", "b1", past, "")      // LXC's layout, expired: dropped
	addBuild(t, dir, "lxcfmt", "back", "b1", future, "")    // older, valid
	addBuild(t, dir, "lxcfmt", "back", "b2", past, "")      // newer, expired: b1 shows
	addBuild(t, dir, "golxc", "side", "b1", past, future)   // the side file wins
	addBuild(t, dir, "lxcfmt", "never", "b1", "", "")       // no expiry at all: kept
	addBuild(t, dir, "lxcfmt", "bad", "b1", "tomorrow", "") // unreadable: not offered
	var c expiryCache
	for _, expiryOf := range []func(string) (time.Time, error){buildExpiry, c.expiry, c.expiry} {
		idx, err := scanIndex(dir, now, expiryOf)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range ParseIndex(idx) {
			got = append(got, e.Dist+"/"+e.Release+"/"+e.Build)
		}
		if want := "golxc/side/b1 lxcfmt/back/b1 lxcfmt/never/b1"; strings.Join(got, " ") != want {
			t.Errorf("index %q, want %q", got, want)
		}
	}
}
