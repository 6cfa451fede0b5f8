package buildinfo

import (
	"regexp"
	"testing"
)

func TestString(t *testing.T) {
	if !regexp.MustCompile(`^golxc [0-9]+\.[0-9]+\.[0-9]+ \(commit ([0-9a-f]{4,12}(\+dirty)?|unknown), go[0-9.]+[^)]*\), implementing LXC 5\.0\.2$`).MatchString(String()) {
		t.Errorf("version line %q", String())
	}
	commit = "abc123def456+dirty"
	defer func() { commit = "" }()
	if Commit() != "abc123def456+dirty" {
		t.Errorf("the build's stamp is not used: %q", Commit())
	}
}
