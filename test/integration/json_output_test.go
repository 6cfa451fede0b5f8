package integration

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestJSONOutput: golxc's --format json on lxc-ls and lxc-info carries the
// same facts as the text output, with nulls and empty lists for what a
// stopped container lacks; a bad format is a command-line error.
func TestJSONOutput(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "json-run", "lxc.group = jg", "lxc.start.auto = 1")
	busybox(t, lp, "json-off")
	startRunning(t, lp, "json-run")
	pid := initPid(t, lp, "json-run")

	var ls []map[string]any
	r := mustRun(t, "lxc-ls", "-P", lp, "--format", "json")
	if err := json.Unmarshal([]byte(r.stdout), &ls); err != nil || len(ls) != 2 {
		t.Fatalf("lxc-ls --format json: %v\n%s", err, r.stdout)
	}
	run0, off := ls[0], ls[1]
	if run0["name"] != "json-run" {
		run0, off = off, run0
	}
	if run0["name"] != "json-run" || run0["state"] != "RUNNING" || run0["pid"] != float64(pid) || run0["autostart"] != true ||
		len(run0["groups"].([]any)) != 1 || run0["ram_bytes"] == nil {
		t.Errorf("running container: %v", run0)
	}
	if off["state"] != "STOPPED" || off["pid"] != nil || len(off["ipv4"].([]any)) != 0 || off["ram_bytes"] != nil {
		t.Errorf("stopped container: %v", off)
	}
	r = mustRun(t, "lxc-ls", "-P", lp, "--format", "json", "--running")
	if err := json.Unmarshal([]byte(r.stdout), &ls); err != nil || len(ls) != 1 || ls[0]["name"] != "json-run" {
		t.Errorf("filters apply to JSON: %s", r.stdout)
	}

	var info map[string]any
	r = mustRun(t, "lxc-info", "-P", lp, "-n", "json-run", "--format", "json", "-c", "lxc.group")
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil {
		t.Fatalf("lxc-info --format json: %v\n%s", err, r.stdout)
	}
	stats, _ := info["stats"].(map[string]any)
	if info["state"] != "RUNNING" || info["pid"] != float64(pid) || stats == nil || stats["memory_bytes"] == nil ||
		info["config"].(map[string]any)["lxc.group"] != "jg" {
		t.Errorf("lxc-info json: %v", info)
	}
	r = mustRun(t, "lxc-info", "-P", lp, "-n", "json-off", "--format", "json")
	if err := json.Unmarshal([]byte(r.stdout), &info); err != nil || info["state"] != "STOPPED" || info["pid"] != nil || info["stats"] != nil {
		t.Errorf("stopped lxc-info json: %v %s", err, r.stdout)
	}
	if r := run(t, nil, "lxc-ls", "-P", lp, "--format", "yaml"); r.code != 1 {
		t.Errorf("--format yaml: %s", r)
	}
}

// TestSnapshotListJSON: lxc-snapshot -L --format json lists every snapshot
// with its comment (null without one); no snapshots is an empty list.
func TestSnapshotListJSON(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "json-snap")
	r := mustRun(t, "lxc-snapshot", "-P", lp, "-n", "json-snap", "-L", "--format", "json")
	if strings.TrimSpace(r.stdout) != "[]" {
		t.Errorf("no snapshots: %q", r.stdout)
	}
	note := filepath.Join(t.TempDir(), "note")
	if err := os.WriteFile(note, []byte("before the upgrade\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "lxc-snapshot", "-P", lp, "-n", "json-snap", "-c", note)
	mustRun(t, "lxc-snapshot", "-P", lp, "-n", "json-snap")
	var snaps []map[string]any
	r = mustRun(t, "lxc-snapshot", "-P", lp, "-n", "json-snap", "-L", "--format", "json")
	if err := json.Unmarshal([]byte(r.stdout), &snaps); err != nil || len(snaps) != 2 {
		t.Fatalf("lxc-snapshot -L --format json: %v\n%s", err, r.stdout)
	}
	if snaps[0]["name"] != "snap0" || snaps[0]["comment"] != "before the upgrade\n" || snaps[0]["timestamp"] == "" || snaps[0]["path"] == "" {
		t.Errorf("snap0: %v", snaps[0])
	}
	if snaps[1]["name"] != "snap1" || snaps[1]["comment"] != nil {
		t.Errorf("snap1: %v", snaps[1])
	}
	if r := run(t, nil, "lxc-snapshot", "-P", lp, "-n", "json-snap", "-L", "--format", "yaml"); r.code == 0 {
		t.Errorf("--format yaml accepted: %s", r)
	}
}
