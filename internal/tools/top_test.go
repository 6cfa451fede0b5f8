package tools

import (
	"strings"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/lxc"
)

// Values worked out by hand from LXC's size_humanize (its 32-bit rounding
// and truncating hundredths included).
func TestHumanizeSize(t *testing.T) {
	for v, want := range map[uint64]string{
		0:              "  0.00   ",
		1024:           "1024.00   ",
		1025:           "1.00 KiB",
		1536:           "1.50 KiB",
		679936:         "664.00 KiB",
		1 << 20:        "1024.00 KiB",
		1059061:        "1.01 MiB",
		3 << 30:        "3.00 GiB",
		3<<30 + 1<<29:  "3.49 GiB",
		(1<<30)*5 + 12: "5.00 GiB",
	} {
		if got := humanizeSize(v); got != want {
			t.Errorf("humanizeSize(%d) = %q, want %q", v, got, want)
		}
	}
}

func TestSortTop(t *testing.T) {
	rows := func() []topRow {
		return []topRow{
			{"b", lxc.Stats{Stats: cgroup.Stats{CPU: 5, Memory: 10}}},
			{"a", lxc.Stats{Stats: cgroup.Stats{CPU: 5, Memory: 30}}},
			{"c", lxc.Stats{Stats: cgroup.Stats{CPU: 9, Memory: 20}}},
		}
	}
	names := func(rs []topRow) string {
		var s []string
		for _, r := range rs {
			s = append(s, r.name)
		}
		return strings.Join(s, "")
	}
	for _, c := range []struct {
		by      byte
		reverse bool
		want    string
	}{
		{'n', false, "abc"}, {'n', true, "cba"}, {'x', false, "abc"},
		{'c', false, "cab"}, {'c', true, "abc"}, {'m', false, "acb"}, {'m', true, "bca"},
	} {
		rs := rows()
		sortTop(rs, c.by, c.reverse)
		if got := names(rs); got != c.want {
			t.Errorf("sort %c reverse=%v: %s, want %s", c.by, c.reverse, got, c.want)
		}
	}
}

func TestTopKeys(t *testing.T) {
	o := &topOpts{sortBy: 'n'}
	for _, k := range []byte{'c', 'c', 'r', 'm'} {
		o.key(k)
	}
	if o.sortBy != 'm' || o.reverse {
		t.Errorf("after c c r m: sort %c reverse %v", o.sortBy, o.reverse)
	}
	o.key('m')
	if !o.reverse {
		t.Error("the current key again must reverse")
	}
}

// TestRenderTopRows: at most the terminal's rows minus three are shown, in
// both modes; TOTAL says how many of how many.
func TestRenderTopRows(t *testing.T) {
	rs := []topRow{{name: "one"}, {name: "two"}, {name: "three"}}
	out := renderTop(rs, lxc.Stats{}, 2, false, time.Unix(0, 0))
	if !strings.Contains(out, "\ntwo ") || strings.Contains(out, "three") || !strings.Contains(out, "\nTOTAL 2 of 3 ") {
		t.Errorf("interactive: %q", out)
	}
	out = renderTop(rs, lxc.Stats{}, 1, true, time.Unix(1, 5e6))
	if out != "1005,one,0,0,0,0,0,0,0,0\n" {
		t.Errorf("batch: %q", out)
	}
}
