package main

import (
	"strconv"
	"strings"
)

// newestGlibc is the highest of the "GLIBC_X.Y[.Z]" versions, without
// the prefix; other names (GLIBC_PRIVATE, GCC_3.0, "") are ignored.
func newestGlibc(versions []string) string {
	best := ""
	for _, v := range versions {
		n, ok := strings.CutPrefix(v, "GLIBC_")
		if !ok || !numeric(n) {
			continue
		}
		if best == "" || versionLess(best, n) {
			best = n
		}
	}
	return best
}

// numeric: dot-separated decimal numbers ("2.2.5").
func numeric(v string) bool {
	for _, p := range strings.Split(v, ".") {
		if _, err := strconv.Atoi(p); err != nil {
			return false
		}
	}
	return true
}

// versionLess compares numeric versions part by part (2.9 < 2.34 <
// 2.34.1), as sort -V and dpkg do for these.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) || i < len(bs); i++ {
		x, y := 0, 0
		if i < len(as) {
			x, _ = strconv.Atoi(as[i])
		}
		if i < len(bs) {
			y, _ = strconv.Atoi(bs[i])
		}
		if x != y {
			return x < y
		}
	}
	return false
}
