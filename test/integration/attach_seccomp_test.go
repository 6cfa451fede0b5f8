package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Processes that enter the container get its seccomp filter, as its init
// does, unless -e lifts the LSM confinement.
func TestAttachAppliesSeccomp(t *testing.T) {
	needRoot(t)
	prof := filepath.Join(t.TempDir(), "deny-sethostname")
	if err := os.WriteFile(prof, []byte("2\ndenylist\nsethostname errno 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	lp := attachContainer(t, "gsec", "lxc.seccomp.profile = "+prof)
	r := run(t, nil, "lxc-attach", "-P", lp, "-n", "gsec", "--", "hostname", "changed")
	if r.code == 0 || !strings.Contains(r.stderr, "Operation not permitted") {
		t.Fatalf("sethostname not denied by the container's profile: %s", r)
	}
	expect(t, run(t, nil, "lxc-attach", "-P", lp, "-n", "gsec", "--", "hostname"), 0, "gsec\n", "")
	expect(t, run(t, nil, "lxc-attach", "-P", lp, "-n", "gsec", "-e", "--", "hostname", "elevated"), 0, "", "")
	expect(t, run(t, nil, "lxc-attach", "-P", lp, "-n", "gsec", "--", "hostname"), 0, "elevated\n", "")
}
