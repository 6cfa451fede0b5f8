package image

import (
	"path/filepath"
	"sort"
	"strings"
	"time"
)

type build struct {
	e   Entry
	dir string
}

// scanBuilds lists the complete builds under dir/images (both tarballs
// present; directories being assembled start with a dot).
func scanBuilds(dir string) ([]build, error) {
	matches, err := filepath.Glob(filepath.Join(dir, ImagesDir, "*", "*", "*", "*", "*"))
	if err != nil {
		return nil, err
	}
	var out []build
	for _, m := range matches {
		rel, _ := filepath.Rel(filepath.Join(dir, ImagesDir), m)
		p := strings.Split(filepath.ToSlash(rel), "/")
		if len(p) != 5 || strings.HasPrefix(p[4], ".") || !exists(filepath.Join(m, RootfsFile)) || !exists(filepath.Join(m, MetaFile)) {
			continue
		}
		e := Entry{p[0], p[1], p[2], p[3], p[4], "/" + ImagesDir + "/" + filepath.ToSlash(rel) + "/"}
		out = append(out, build{e, m})
	}
	return out, nil
}

// ScanIndex is the index of dir now: per dist/release/arch/variant the
// newest build that has not expired.
func ScanIndex(dir string) (string, error) {
	return scanIndex(dir, time.Now(), buildExpiry)
}

// scanIndex is ScanIndex at now with expiryOf telling each build's
// expiry (the zero time: never). A build whose expiry cannot be read is
// left out: a server must not offer what it cannot vouch for.
func scanIndex(dir string, now time.Time, expiryOf func(string) (time.Time, error)) (string, error) {
	builds, err := scanBuilds(dir)
	if err != nil {
		return "", err
	}
	sort.Slice(builds, func(i, j int) bool { return builds[i].e.Build > builds[j].e.Build })
	seen := map[Filter]bool{}
	var entries []Entry
	for _, b := range builds {
		k := Filter{b.e.Dist, b.e.Release, b.e.Arch, b.e.Variant}
		if seen[k] {
			continue
		}
		if at, err := expiryOf(b.dir); err != nil || (!at.IsZero() && at.Before(now)) {
			continue
		}
		seen[k] = true
		entries = append(entries, b.e)
	}
	return FormatIndex(entries), nil
}
