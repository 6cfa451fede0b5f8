package tools

import (
	"reflect"
	"testing"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/idmap"
)

func im(t byte, ns, host, n uint32) config.IDMap {
	return config.IDMap{Type: t, NSID: ns, HostID: host, Range: n}
}

func TestParseUsernsexec(t *testing.T) {
	for _, c := range []struct {
		args []string
		want usernsexecArgs
		bad  bool
		msg  string
	}{
		{args: nil, want: usernsexecArgs{}},
		{args: []string{"-m", "b:0:100000:65536", "-s", "--", "id", "-u"},
			want: usernsexecArgs{maps: []config.IDMap{im('u', 0, 100000, 65536), im('g', 0, 100000, 65536)}, mapSelf: true, cmd: []string{"id", "-u"}}},
		{args: []string{"-mu:0:1:2", "-sm", "g:3:4:5", "cat"},
			want: usernsexecArgs{maps: []config.IDMap{im('u', 0, 1, 2), im('g', 3, 4, 5)}, mapSelf: true, cmd: []string{"cat"}}},
		// glibc permutes: an option after an operand is still an option.
		{args: []string{"id", "-s"}, want: usernsexecArgs{mapSelf: true, cmd: []string{"id"}}},
		{args: []string{"id", "-u"}, bad: true, msg: "lxc-usernsexec: invalid option -- 'u'\n"},
		{args: []string{"--help"}, bad: true, msg: "lxc-usernsexec: invalid option -- '-'\n"},
		{args: []string{"-m"}, bad: true, msg: "lxc-usernsexec: option requires an argument -- 'm'\n"},
		{args: []string{"-m", "x:0:1:1"}, bad: true},
		{args: []string{"-m", "u:0:1"}, bad: true},
		{args: []string{"-m", "u:0:-1:1"}, bad: true},
		{args: []string{"-m", "u:0:4294967296:1"}, bad: true},
		{args: []string{"-s", "-h", "-x"}, want: usernsexecArgs{mapSelf: true, help: true}},
		{args: []string{"-", "x"}, want: usernsexecArgs{cmd: []string{"-", "x"}}},
	} {
		got, bad, msg := parseUsernsexec("lxc-usernsexec", c.args)
		if bad != c.bad || msg != c.msg || (!bad && !reflect.DeepEqual(got, c.want)) {
			t.Errorf("%q: got %+v bad=%v msg=%q; want %+v bad=%v msg=%q", c.args, got, bad, msg, c.want, c.bad, c.msg)
		}
	}
}

func TestUsernsexecDefaultMaps(t *testing.T) {
	// Only the first range of each file, as LXC.
	got, ok := usernsexecDefaultMaps([]idmap.Range{{Start: 100000, Count: 65536}, {Start: 300000, Count: 10}}, []idmap.Range{{Start: 200000, Count: 1000}})
	want := []config.IDMap{im('u', 0, 100000, 65536), im('g', 0, 200000, 1000)}
	if !ok || !reflect.DeepEqual(got, want) {
		t.Errorf("got %v %v", got, ok)
	}
	if _, ok := usernsexecDefaultMaps([]idmap.Range{{Start: 1, Count: 1}}, nil); ok {
		t.Error("no subgid range accepted")
	}
}

func TestUsernsexecMapSelf(t *testing.T) {
	for _, c := range []struct {
		maps []config.IDMap
		want []config.IDMap
	}{
		{[]config.IDMap{im('u', 0, 100000, 65536), im('g', 0, 100000, 65536)},
			[]config.IDMap{im('g', 65536, 1000, 1), im('u', 65536, 1000, 1)}},
		// LXC's walk: an id inside a map moves on by that map's range,
		// in order: 0 in [0,10) -> 10, 10 in [10,15) -> 15; g stays 0.
		{[]config.IDMap{im('u', 0, 100000, 10), im('u', 10, 200000, 5), im('g', 5, 100000, 10)},
			[]config.IDMap{im('g', 0, 1000, 1), im('u', 15, 1000, 1)}},
		// A map before the id it would cover is not seen again.
		{[]config.IDMap{im('u', 10, 100000, 5), im('u', 0, 200000, 10)},
			[]config.IDMap{im('g', 0, 2000, 1), im('u', 10, 1000, 1)}},
	} {
		gid := uint32(1000)
		if len(c.want) > 0 && c.want[0].HostID == 2000 {
			gid = 2000
		}
		got := usernsexecMapSelf(append([]config.IDMap(nil), c.maps...), 1000, gid)
		if !reflect.DeepEqual(got[len(c.maps):], c.want) {
			t.Errorf("%v: got %v, want %v", c.maps, got[len(c.maps):], c.want)
		}
	}
}
