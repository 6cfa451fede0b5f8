package usernic

import (
	"reflect"
	"strings"
	"testing"
)

const usernet = `# comment line
alice veth lxcbr0 2
@staff veth lxcbr0 3
alice	veth	usnbr0	10
bob veth lxcbr0 5
alice veth lxcbr0 notanumber
alice macvlan lxcbr0 4
alice veth
@wheel veth lxcbr0 7
`

var alice = Caller{User: "alice", Groups: []string{"alice", "staff"}}

func TestParseUsernet(t *testing.T) {
	got := ParseUsernet(strings.NewReader(usernet), alice, "veth", "lxcbr0")
	want := []Allotment{{"alice", 2}, {"@staff", 3}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := ParseUsernet(strings.NewReader(usernet), alice, "veth", "usnbr0"); !reflect.DeepEqual(got, []Allotment{{"alice", 10}}) {
		t.Errorf("tab-separated line: %v", got)
	}
	if got := ParseUsernet(strings.NewReader(usernet), Caller{User: "carol"}, "veth", "lxcbr0"); len(got) != 0 {
		t.Errorf("carol has no quota, got %v", got)
	}
}

// Quotas are used up in file order: alice's own 2, then @staff's 3; the
// sixth device is refused. With a quota of ten the eleventh is refused.
func TestPickOwnerQuota(t *testing.T) {
	allots := ParseUsernet(strings.NewReader(usernet), alice, "veth", "lxcbr0")
	var db []Entry
	var owners []string
	for i := 0; i < 6; i++ {
		o, ok := PickOwner(allots, db, "veth", "lxcbr0")
		if !ok {
			owners = append(owners, "REFUSED")
			continue
		}
		owners = append(owners, o)
		db = append(db, Entry{o, "veth", "lxcbr0", "veth" + itoa(uint32(i))})
	}
	if want := "alice alice @staff @staff @staff REFUSED"; strings.Join(owners, " ") != want {
		t.Errorf("owners %q, want %q", strings.Join(owners, " "), want)
	}
	// Other users' records and other bridges do not use alice's quota.
	ten := []Allotment{{"alice", 10}}
	db = []Entry{{"bob", "veth", "usnbr0", "vb"}, {"alice", "veth", "lxcbr0", "va"}}
	for i := 0; i < 10; i++ {
		if _, ok := PickOwner(ten, db, "veth", "usnbr0"); !ok {
			t.Fatalf("device %d of 10 refused", i+1)
		}
		db = append(db, Entry{"alice", "veth", "usnbr0", "v" + itoa(uint32(i))})
	}
	if _, ok := PickOwner(ten, db, "veth", "usnbr0"); ok {
		t.Error("the eleventh device over a quota of ten was allowed")
	}
	// Culling a device that is gone frees its slot.
	db = Cull(db, func(nic string) bool { return nic != "v3" })
	if _, ok := PickOwner(ten, db, "veth", "usnbr0"); !ok {
		t.Error("a culled record still counts")
	}
}

func TestDBRoundTripAndRemove(t *testing.T) {
	text := "alice veth lxcbr0 veth1000_abcd\nbob veth lxcbr0 veth1001_wxyz\ngarbage\n@staff veth lxcbr0 veth1000_efgh\n"
	db := ParseDB(text)
	if len(db) != 3 {
		t.Fatalf("ParseDB = %v", db)
	}
	if got := FormatDB(db); got != strings.Replace(text, "garbage\n", "", 1) {
		t.Errorf("FormatDB = %q", got)
	}
	allots := []Allotment{{"alice", 2}, {"@staff", 3}}
	// Another user's device cannot be deleted by naming it.
	if _, found := Remove(db, allots, "veth", "lxcbr0", "veth1001_wxyz"); found {
		t.Error("alice removed bob's record")
	}
	// Nor one of one's own on another bridge or of another type.
	if _, found := Remove(db, allots, "veth", "usnbr0", "veth1000_abcd"); found {
		t.Error("removed with the wrong bridge")
	}
	out, found := Remove(db, allots, "veth", "lxcbr0", "veth1000_efgh")
	if !found || len(out) != 2 || out[1].Owner != "bob" {
		t.Errorf("Remove = %v, %v", out, found)
	}
	if len(db) != 3 {
		t.Error("Remove changed its input")
	}
}

func TestHostNicName(t *testing.T) {
	if got := HostNicTemplate(1000); got != "veth1000_XXXX" {
		t.Errorf("uid 1000: %q", got)
	}
	if got := HostNicTemplate(0); got != "vethXXXXXX" {
		t.Errorf("uid 0: %q", got)
	}
	if got := HostNicTemplate(100000); got != "vethXXXXXX" {
		t.Errorf("uid 100000: %q", got)
	}
	n := uint32(0)
	name := FillName("veth1000_XXXX", func() uint32 { n++; return n * 17 })
	if len(name) != 13 || !strings.HasPrefix(name, "veth1000_") || strings.Contains(name, "X") {
		t.Errorf("FillName = %q", name)
	}
	if len(HostNicTemplate(65536)) > 15 {
		t.Error("name longer than IFNAMSIZ-1")
	}
}
