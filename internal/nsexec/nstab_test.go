package nsexec

import (
	"os"
	"regexp"
	"testing"

	"github.com/golxc/golxc/internal/namespace"
)

// The C stage's nstab (in its unshare/setns order) names the same
// namespaces, with the same flags, as golxc's Go table.
func TestCTableMatchesNamespaceTable(t *testing.T) {
	src, err := os.ReadFile("nsexec.c")
	if err != nil {
		t.Fatal(err)
	}
	rows := regexp.MustCompile(`\{(CLONE_NEW[A-Z]+), "([a-z]+)", "(CLONE_NEW[A-Z]+)"\}`).FindAllStringSubmatch(string(src), -1)
	if len(rows) != namespace.Count {
		t.Fatalf("nsexec.c nstab has %d rows, the Go table %d", len(rows), namespace.Count)
	}
	seen := map[string]bool{}
	for _, r := range rows {
		ns, ok := namespace.ByName(r[2])
		if !ok || ns.Clone != r[1] || ns.Clone != r[3] || seen[r[2]] {
			t.Errorf("nsexec.c row {%s, %q, %q} does not match the Go table (%+v)", r[1], r[2], r[3], ns)
		}
		seen[r[2]] = true
	}
}
