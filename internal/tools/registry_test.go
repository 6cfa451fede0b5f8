package tools

import (
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The README's tool table must say "not yet" exactly for the tools that
// have no runner: make install links what Implemented lists, so a tool
// the table calls done but the registry lacks would silently go missing,
// and a "not yet" tool with a link would shadow LXC's working one.
func TestReadmeToolTableMatchesRegistry(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Tools\n")
	if !ok {
		t.Fatal("README.md has no \"## Tools\" section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	names := regexp.MustCompile(`lxc-[a-z-]+[a-z]`)
	var done, notYet []string
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 || !strings.Contains(cells[1], "lxc-") {
			continue
		}
		tools := names.FindAllString(strings.Split(cells[1], "/")[0], -1)
		if strings.HasPrefix(strings.TrimSpace(cells[2]), "not yet") {
			notYet = append(notYet, tools...)
		} else {
			done = append(done, tools...)
		}
	}
	sort.Strings(done)
	if got, want := strings.Join(done, " "), strings.Join(Implemented(), " "); got != want {
		t.Errorf("README tool table says done: %s\nregistry implements:       %s", got, want)
	}
	all := append(append([]string{}, done...), notYet...)
	sort.Strings(all)
	known := append([]string{}, AllNames...)
	sort.Strings(known)
	if got, want := strings.Join(all, " "), strings.Join(known, " "); got != want {
		t.Errorf("README tool table names: %s\nAllNames:                %s", got, want)
	}
	for _, n := range notYet {
		if slices.Contains(Implemented(), n) {
			t.Errorf("README says %s is not implemented, but the registry has it", n)
		}
	}
}

// Every LXC tool name has a runner now; a name added to AllNames without
// one fails loudly instead of doing nothing.
func TestNotImplementedFailsLoudly(t *testing.T) {
	for _, n := range AllNames {
		if !slices.Contains(Implemented(), n) {
			t.Errorf("%s has no runner", n)
		}
	}
	var out, errb strings.Builder
	if code := notImplemented("lxc-future")([]string{"lxc-future"}, nil, &out, &errb); code != 1 ||
		!strings.Contains(errb.String(), "lxc-future: not implemented yet") || out.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
	if _, ok := Lookup("lxc-nosuchtool"); ok {
		t.Error("Lookup found a runner for a name LXC does not have")
	}
}
