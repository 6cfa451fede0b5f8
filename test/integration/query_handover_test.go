package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lxc-wait and lxc-stop run golxc-query (the harness links them as make
// install does). What internal/query leaves to golxc is handed over by
// exec with the same arguments and answered as golxc answers it: here an
// interrupted creation (a create marker nobody holds), which golxc
// cleans up before the tool goes on, and a name outside the plain set.
func TestQueryBinaryHandsOverToGolxc(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	for _, tool := range []string{"lxc-info", "lxc-wait", "lxc-stop"} {
		if target, err := os.Readlink(filepath.Join(binDir, tool)); err != nil || target != "golxc-query" {
			t.Fatalf("%s -> %q (%v): the harness must link it to golxc-query as make install does", tool, target, err)
		}
	}
	dir := filepath.Join(lp, "gq-partial")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "config"), []byte("lxc.uts.name = gq-partial\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "partial"), nil, 0o640); err != nil {
		t.Fatal(err)
	}
	r := run(t, nil, "lxc-wait", "-P", lp, "-n", "gq-partial", "-s", "STOPPED", "-t", "0")
	if r.code != 0 {
		t.Fatalf("lxc-wait on an interrupted creation: %s", r)
	}
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Fatalf("the interrupted creation was not cleaned up as golxc does (%v): %s", err, r)
	}
	// Accepted by golxc, not plain: handed over, and not running.
	r = run(t, nil, "lxc-stop", "-P", lp, "-n", "gq-ü", "-k")
	if r.code != 2 || r.stderr != "lxc-stop: gq-ü is not running\n" {
		t.Fatalf("lxc-stop -k of a non-plain name: %s", r)
	}
	// lxc-info's --format is golxc's: golxc-query hands it over whatever
	// its value, and golxc checks it.
	r = run(t, nil, "lxc-info", "-P", lp, "-n", "gq-none", "--format=xml")
	if r.code != 1 || !strings.Contains(r.stderr, `--format "xml": use json or text`) {
		t.Fatalf("lxc-info --format=xml: %s", r)
	}
	// lxc-stop without -k is golxc's own path.
	r = run(t, nil, "lxc-stop", "-P", lp, "-n", "gq-none")
	if r.code != 2 || r.stderr != "lxc-stop: gq-none is not running\n" {
		t.Fatalf("lxc-stop of a missing container: %s", r)
	}
}
