package idmap

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseSubIDs(t *testing.T) {
	const file = `alice:100000:65536
bob:165536:65536
1000:300000:10
alice:200000:1000
alicex:400000:5
alice:bad:5
alice:500000
alice:600000:0

  alice:700000:1  
alice:4294967295:2
`
	got, err := ParseSubIDs(strings.NewReader(file), "alice", 1000)
	if err != nil {
		t.Fatal(err)
	}
	want := []Range{{100000, 65536}, {300000, 10}, {200000, 1000}, {700000, 1}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("alice = %v, want %v", got, want)
	}
	got, _ = ParseSubIDs(strings.NewReader(file), "bob", 1001)
	if !reflect.DeepEqual(got, []Range{{165536, 65536}}) {
		t.Errorf("bob = %v", got)
	}
	got, _ = ParseSubIDs(strings.NewReader(file), "carol", 1002)
	if len(got) != 0 {
		t.Errorf("carol = %v", got)
	}
}

func TestReadSubIDsMissingFile(t *testing.T) {
	got, err := ReadSubIDs(t.TempDir()+"/none", "alice", 1000)
	if err != nil || got != nil {
		t.Errorf("got %v, %v", got, err)
	}
}

func TestCovers(t *testing.T) {
	have := []Range{{200000, 1000}, {100000, 65536}, {165536, 10}}
	for _, c := range []struct {
		want Range
		ok   bool
	}{
		{Range{100000, 65536}, true},
		{Range{100000, 65546}, true}, // two adjacent lines
		{Range{100000, 65547}, false},
		{Range{99999, 2}, false},
		{Range{200500, 500}, true},
		{Range{200500, 501}, false},
		{Range{5, 0}, true},
	} {
		if got := Covers(have, c.want); got != c.ok {
			t.Errorf("Covers(%v) = %v, want %v", c.want, got, c.ok)
		}
	}
	if Covers(nil, Range{1, 1}) {
		t.Error("nothing covers something")
	}
}
