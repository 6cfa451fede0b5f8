// Package image is golxc's image chain in Go: the client side of LXC's
// download template (index, signatures, cache, unpacking, config splice)
// and golxc's own image server (build, sign, serve). It links xz, OpenPGP
// and TLS, so only the golxc-image helper binary imports it, never
// cmd/golxc (whose start must stay cheap).
package image

import (
	"fmt"
	"sort"
	"strings"
)

// Layout of an image server, as LXC's download template reads it.
const (
	IndexDir     = "meta/1.0" // holds index-system and index-user
	ImagesDir    = "images"   // images/DIST/RELEASE/ARCH/VARIANT/BUILD/
	CompatLevel  = "7"        // index-MODE.7 is tried before index-MODE
	RootfsFile   = "rootfs.tar.xz"
	MetaFile     = "meta.tar.xz"
	SigSuffix    = ".asc" // detached OpenPGP signature of FILE is FILE.asc
	DefaultVar   = "default"
	PublicServer = "images.linuxcontainers.org"
)

// Entry is one line of an index: "dist;release;arch;variant;build;path".
type Entry struct {
	Dist, Release, Arch, Variant, Build, Path string
}

func (e Entry) String() string {
	return strings.Join([]string{e.Dist, e.Release, e.Arch, e.Variant, e.Build, e.Path}, ";")
}

// ParseIndex reads an index; lines without a build or path are skipped,
// as LXC's template does.
func ParseIndex(data string) []Entry {
	var out []Entry
	for _, line := range strings.Split(data, "\n") {
		f := strings.SplitN(strings.TrimRight(line, "\r"), ";", 6)
		if len(f) < 6 || f[4] == "" || f[5] == "" {
			continue
		}
		out = append(out, Entry{f[0], f[1], f[2], f[3], f[4], f[5]})
	}
	return out
}

// FormatIndex writes entries sorted by dist, release, arch, variant.
func FormatIndex(entries []Entry) string {
	sorted := append([]Entry(nil), entries...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].String() < sorted[j].String() })
	var b strings.Builder
	for _, e := range sorted {
		b.WriteString(e.String() + "\n")
	}
	return b.String()
}

// Filter is what the user asked for; empty fields match anything.
type Filter struct{ Dist, Release, Arch, Variant string }

func (f Filter) Match(e Entry) bool {
	return (f.Dist == "" || f.Dist == e.Dist) && (f.Release == "" || f.Release == e.Release) &&
		(f.Arch == "" || f.Arch == e.Arch) && (f.Variant == "" || f.Variant == e.Variant)
}

// Find returns the first entry matching all four fields exactly.
func Find(entries []Entry, f Filter) (Entry, bool) {
	for _, e := range entries {
		if e.Dist == f.Dist && e.Release == f.Release && e.Arch == f.Arch && e.Variant == f.Variant {
			return e, true
		}
	}
	return Entry{}, false
}

// Table is LXC's --list output for the entries matching f.
func Table(entries []Entry, f Filter) string {
	var b strings.Builder
	b.WriteString("\n---\nDIST\tRELEASE\tARCH\tVARIANT\tBUILD\n---\n")
	for _, e := range entries {
		if f.Match(e) {
			fmt.Fprintf(&b, "%s\t%s\t%s\t%s\t%s\n", e.Dist, e.Release, e.Arch, e.Variant, e.Build)
		}
	}
	b.WriteString("---\n")
	return b.String()
}
