package config

import (
	"fmt"
	"strings"
	"testing"
)

// FuzzIDMap feeds arbitrary lxc.idmap values. Nothing may panic; a
// rejected value is a one-line error that leaves the existing maps as they
// were; an accepted one reads back as "u|g NSID HOSTID RANGE", re-parses
// to the same map and reaches the Spec.
func FuzzIDMap(f *testing.F) {
	for _, s := range []string{"u 0 100000 65536", "g 0 100000 65536", " u\t0 1 2", "u 0 4294967295 1",
		"u 0 4294967296 1", "x 0 0 0", "u 0 0", "u 0 0 0 0", "u -1 0 1", "u 0x10 0 1", "u 0 0 1\x00", "g  1   2\t3 "} {
		f.Add(s)
	}
	SetWarner(func(string) {})
	f.Fuzz(func(t *testing.T, v string) {
		c := New()
		if err := c.Set("lxc.idmap", "u 0 100000 65536"); err != nil {
			t.Fatal(err)
		}
		before, _ := c.Get("lxc.idmap")
		err := c.Set("lxc.idmap", v)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error: %q", err.Error())
			}
			if after, _ := c.Get("lxc.idmap"); after != before {
				t.Fatalf("rejected %q changed the maps: %q -> %q", v, before, after)
			}
			return
		}
		got, _ := c.Get("lxc.idmap")
		if v == "" {
			if got != "" {
				t.Fatalf("empty value should clear the maps, got %q", got)
			}
			return
		}
		lines := strings.Split(got, "\n")
		if len(lines) != 2 || lines[0] != before {
			t.Fatalf("after %q: maps %q", v, got)
		}
		var typ byte
		var ns, host, rng uint32
		if n, err := fmt.Sscanf(lines[1], "%c %d %d %d", &typ, &ns, &host, &rng); n != 4 || err != nil {
			t.Fatalf("read back %q: %v", lines[1], err)
		}
		if typ != strings.TrimLeft(v, " \t")[0] {
			t.Fatalf("type of %q read back as %q", v, lines[1])
		}
		// The read-back form is canonical: it parses to itself.
		r := New()
		if err := r.Set("lxc.idmap", lines[1]); err != nil {
			t.Fatalf("read-back %q does not parse: %v", lines[1], err)
		}
		if again, _ := r.Get("lxc.idmap"); again != lines[1] {
			t.Fatalf("read-back %q re-parses to %q", lines[1], again)
		}
		spec, err := c.Spec()
		if err != nil {
			return // other keys may make the whole config invalid; not this fuzzer's concern
		}
		if len(spec.IDMap) != 2 || spec.IDMap[1] != (IDMap{Type: typ, NSID: ns, HostID: host, Range: rng}) {
			t.Fatalf("spec maps %+v after %q", spec.IDMap, v)
		}
	})
}
