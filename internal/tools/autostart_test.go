package tools

import (
	"reflect"
	"testing"
)

func TestAccumulateGroups(t *testing.T) {
	cases := []struct {
		args       []string
		want, dups []string
	}{
		{[]string{"a,b"}, []string{"a", "b"}, nil},
		{[]string{"a", "b,a"}, []string{"a", "b"}, []string{`Duplicate group "a" in list - ignoring`}},
		{[]string{"a,,b"}, []string{"a", ""}, []string{`Duplicate group "b" in list - ignoring`}}, // "" is a prefix of every name (LXC's strncmp)
		{[]string{",", ""}, []string{""}, []string{"Duplicate NULL group in list - ignoring", "Duplicate NULL group in list - ignoring"}},
		{[]string{"web,webx"}, []string{"web"}, []string{`Duplicate group "webx" in list - ignoring`}},
		{[]string{"webx,web"}, []string{"webx", "web"}, nil},
	}
	for _, c := range cases {
		got, dups := accumulateGroups(c.args)
		if !reflect.DeepEqual(got, c.want) || !reflect.DeepEqual(dups, c.dups) {
			t.Errorf("%q: got %q %q, want %q %q", c.args, got, dups, c.want, c.dups)
		}
	}
}

func TestGroupListed(t *testing.T) {
	cases := []struct {
		group string
		list  []string
		want  bool
	}{
		{"", nil, true},     // the NULL group: containers without lxc.group
		{"web", nil, false}, // a container without groups is in no named group
		{"", []string{"web"}, false},
		{"web", []string{"web", "db"}, true},
		{"webserver", []string{"web"}, true}, // LXC compares the container's group's length only
		{"we", []string{"web"}, false},
	}
	for _, c := range cases {
		if got := groupListed(c.group, c.list); got != c.want {
			t.Errorf("groupListed(%q, %q) = %v, want %v", c.group, c.list, got, c.want)
		}
	}
}

func names(es []autostartEntry) []string {
	out := []string{}
	for _, e := range es {
		out = append(out, e.name)
	}
	return out
}

func TestAutostartSelect(t *testing.T) {
	es := []autostartEntry{
		{name: "a", auto: true, order: 2, control: true},
		{name: "b", auto: true, order: 1, control: true, groups: []string{"web"}},
		{name: "c", auto: false, control: true},
		{name: "d", auto: true, order: 1, control: true, groups: []string{"db", "web"}},
		{name: "e", auto: true, order: 1, control: false},
		{name: "f", auto: true, order: -1, control: true, groups: []string{"db"}},
	}
	cases := []struct {
		name               string
		groups             []string
		all, ignoreAuto, r bool
		want               []string
	}{
		{"default: NULL group", nil, false, false, false, []string{"a"}},
		{"all by order then name", nil, true, false, false, []string{"f", "b", "d", "a"}},
		{"all reversed", nil, true, false, true, []string{"a", "d", "b", "f"}},
		{"ignore-auto", nil, true, true, false, []string{"f", "c", "b", "d", "a"}},
		{"groups in the order given, each container once", []string{"web", "db"}, false, false, false, []string{"b", "d", "f"}},
		{"db first", []string{"db", "web"}, false, false, false, []string{"f", "d", "b"}},
		{"NULL group then web", []string{"", "web"}, false, false, false, []string{"a", "b", "d"}},
		{"-a overrides -g", []string{"db"}, true, false, false, []string{"f", "b", "d", "a"}},
	}
	for _, c := range cases {
		got := names(autostartSelect(es, c.groups, c.all, c.ignoreAuto, c.r))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

func TestSortAutostartNames(t *testing.T) {
	es := []autostartEntry{{name: "b"}, {name: "a"}, {name: "ab"}, {name: "aa"}, {name: "z", order: -1}}
	sortAutostart(es, false)
	if got := names(es); !reflect.DeepEqual(got, []string{"z", "a", "aa", "ab", "b"}) {
		t.Errorf("got %q", got)
	}
	sortAutostart(es, true)
	if got := names(es); !reflect.DeepEqual(got, []string{"b", "ab", "aa", "a", "z"}) {
		t.Errorf("reversed: got %q", got)
	}
}
