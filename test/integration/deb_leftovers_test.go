package integration

import (
	"bufio"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
)

// upperEntry is one entry of an overlay's upper layer as
// testdata/deb_apt_roundtrip.sh lists it (find -printf '%y %m %l %P'),
// with its sha256 when it is a file. Type 'c' is a whiteout: a file of
// the lower layer (the host) deleted in the overlay.
type upperEntry struct {
	typ, mode, link, hash string
}

// parseUpperList reads a listing and its sha256sum lines into a map by
// path (relative to the root, no leading slash).
func parseUpperList(list, sums io.Reader) (map[string]upperEntry, error) {
	out := map[string]upperEntry{}
	sc := bufio.NewScanner(list)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.SplitN(sc.Text(), "\t", 4)
		if len(f) != 4 {
			return nil, fmt.Errorf("upper listing: bad line %q", sc.Text())
		}
		out[f[3]] = upperEntry{typ: f[0], mode: f[1], link: f[2]}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	sc = bufio.NewScanner(sums)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		hash, path, ok := strings.Cut(sc.Text(), "  ")
		if !ok {
			return nil, fmt.Errorf("upper sha256 list: bad line %q", sc.Text())
		}
		e := out[path]
		e.hash = hash
		out[path] = e
	}
	return out, sc.Err()
}

// packageState is what apt and dpkg keep about packages (their database,
// logs, caches, man-db's index and ldconfig's cache that dpkg's triggers
// rebuild; debAptRoundTrip compares ldconfig -p instead): it records that
// golxc came and went, it is not golxc's.
func packageState(path string) bool {
	for _, p := range []string{"var/lib/dpkg/", "var/lib/apt/", "var/cache/apt/", "var/log/apt/", "var/cache/debconf/", "var/cache/man/"} {
		if strings.HasPrefix(path, p) {
			return true
		}
	}
	return path == "var/log/dpkg.log" || path == "etc/ld.so.cache" || path == "var/cache/ldconfig/aux-cache"
}

// lowerFile says what the host (the overlay's lower layer) has at path:
// its type ('f', 'd', 'l', ... as find's %y; "" when absent) and, for a
// file, its sha256.
type lowerFile func(path string) (typ, hash string)

// debLeftovers compares the upper layer before `apt-get install` with
// the one after `apt-get purge`: what changed and is neither package
// state nor a file another package owns (owned: dpkg's *.list lines) is
// something golxc's install and purge left, or a host file they removed.
// A directory or file copied up unchanged from the host is not a change.
func debLeftovers(before, after map[string]upperEntry, owned map[string]bool, lower lowerFile) []string {
	var left []string
	for path, a := range after {
		b, was := before[path]
		if (was && b == a) || packageState(path) || owned["/"+path] {
			continue
		}
		lt, lh := lower(path)
		switch {
		case a.typ == "c":
			left = append(left, "removed from the host: /"+path)
		case a.typ == "d" && (was || lt == "d"):
			// a directory already there, copied up for a change below it
		case a.typ == "f" && !was && lt == "f" && lh == a.hash:
			// copied up unchanged
		case was || lt != "":
			left = append(left, "changed: /"+path)
		default:
			left = append(left, "left: /"+path)
		}
	}
	for path := range before {
		if _, still := after[path]; !still && !packageState(path) {
			left = append(left, "removed: /"+path)
		}
	}
	sort.Strings(left)
	return left
}

// The comparison's decisions, without root or an overlay.
func TestDebLeftovers(t *testing.T) {
	before := map[string]upperEntry{
		"etc":                    {typ: "d", mode: "755"},
		"etc/hosts":              {typ: "f", mode: "644", hash: "h1"},
		"var/lib/dpkg/status":    {typ: "f", mode: "644", hash: "s1"},
		"usr/sbin/policy-rc.d":   {typ: "f", mode: "755", hash: "p"},
		"var/tmp/golxc-lxcpath":  {typ: "d", mode: "755"},
		"usr/share/doc/gone-too": {typ: "f", mode: "644", hash: "g"},
	}
	after := map[string]upperEntry{
		"etc":                      {typ: "d", mode: "755"},
		"etc/hosts":                {typ: "f", mode: "644", hash: "h1"},
		"var/lib/dpkg/status":      {typ: "f", mode: "644", hash: "s2"}, // package state
		"usr/sbin/policy-rc.d":     {typ: "f", mode: "755", hash: "p"},
		"var/tmp/golxc-lxcpath":    {typ: "d", mode: "755"},
		"etc/rc2.d":                {typ: "d", mode: "755"},            // copied up
		"etc/rc2.d/S01lxc":         {typ: "l", mode: "777", link: "x"}, // left by postinst
		"usr/lib/golxc":            {typ: "d", mode: "755"},            // new directory
		"etc/passwd":               {typ: "f", mode: "644", hash: "pw"},
		"etc/group":                {typ: "f", mode: "644", hash: "new"},
		"usr/bin/other-recommends": {typ: "f", mode: "755", hash: "o"}, // another package's
		"usr/bin/lxc-ls":           {typ: "c", mode: "0"},              // whiteout
		"var/tmp/golxc-lxcpath/c1": {typ: "d", mode: "755"},
	}
	owned := map[string]bool{"/usr/bin/other-recommends": true}
	lower := func(path string) (string, string) {
		switch path {
		case "etc/rc2.d":
			return "d", ""
		case "etc/passwd":
			return "f", "pw"
		case "etc/group":
			return "f", "old"
		}
		return "", ""
	}
	got := strings.Join(debLeftovers(before, after, owned, lower), "\n")
	want := strings.Join([]string{
		"changed: /etc/group",
		"left: /etc/rc2.d/S01lxc",
		"left: /usr/lib/golxc",
		"left: /var/tmp/golxc-lxcpath/c1",
		"removed from the host: /usr/bin/lxc-ls",
		"removed: /usr/share/doc/gone-too",
	}, "\n")
	if got != want {
		t.Errorf("debLeftovers:\n%s\nwant:\n%s", got, want)
	}
}
