package tools

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/golxc/golxc/internal/cli"
)

// TestOpenStepsWords: each step says its tool's words with the
// placeholders filled in, and a step with no words is skipped.
func TestOpenStepsWords(t *testing.T) {
	lp := t.TempDir()
	rc := filepath.Join(lp, "bad.conf")
	if err := os.WriteFile(rc, []byte("lxc.nosuchkey = 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		steps  openSteps
		rcfile string
		want   string
	}{
		{openSteps{say: sayTool, defined: "Container {name} is not defined"}, "", "lxc-x: Container ghost is not defined\n"},
		{openSteps{say: sayPlain, defined: "{name} is not defined at {path}"}, "", "ghost is not defined at " + lp + "\n"},
		{openSteps{say: sayTool, rcfile: "Failed to load rcfile {rcfile}: {err}"}, rc, "lxc-x: Failed to load rcfile " + rc + ": "},
		{openSteps{say: sayTool, running: "Container {name} is not running"}, "", "lxc-x: Container ghost is not running\n"},
		{openSteps{say: sayTool}, rc, ""}, // no words: no step, the container opens
	} {
		var stderr bytes.Buffer
		ctx := &cli.Ctx{Prog: "lxc-x", Name: "ghost", LXCPath: lp, Stdout: &bytes.Buffer{}, Stderr: &stderr}
		ct, code := c.steps.open(ctx, c.rcfile)
		got := stderr.String()
		if c.want == "" {
			if ct == nil || code != 0 || got != "" {
				t.Errorf("%+v: container %v code %d stderr %q, want it opened silently", c.steps, ct, code, got)
			}
			continue
		}
		if ct != nil || code != 1 || len(got) < len(c.want) || got[:len(c.want)] != c.want {
			t.Errorf("%+v: container %v code %d stderr %q, want code 1 and %q", c.steps, ct, code, got, c.want)
		}
	}
}
