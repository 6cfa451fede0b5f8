package integration

import (
	"os"
	"path/filepath"
	"testing"
)

// TestShutdownRightAfterStart: a halt sent before init has installed its
// handler (busybox's init does it a few milliseconds after exec; this
// init waits half a second) is not lost. The kernel drops a signal its
// pid namespace's init neither catches nor blocks, so LXC's lxc-stop then
// waits out its timeout and kills; golxc's waits for init's handler.
func TestShutdownRightAfterStart(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "shut-early"
	busybox(t, lp, name, "lxc.init.cmd = /slowinit", "lxc.signal.halt = SIGPWR")
	rootfs := filepath.Join(lp, name, "rootfs")
	script := "#!/bin/sh\nsleep 0.5\ntrap 'echo halted > /halted; exit 0' PWR\nwhile :; do sleep 1 & wait $!; done\n"
	if err := os.WriteFile(filepath.Join(rootfs, "slowinit"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	if r := run(t, nil, "lxc-start", "-P", lp, "-n", name, "-d"); r.code != 0 {
		t.Fatalf("lxc-start: %s", r)
	}
	r := run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-t", "20")
	if r.code != 0 {
		t.Fatalf("lxc-stop: %s", r)
	}
	if _, err := os.Stat(filepath.Join(rootfs, "halted")); err != nil {
		t.Errorf("init never saw the halt signal (killed after the timeout instead): %v", err)
	}
}
