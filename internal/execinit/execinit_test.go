package execinit

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

var env = []string{"PATH=/usr/sbin:/usr/bin:/sbin:/bin"}

func TestExitCodes(t *testing.T) {
	for _, tc := range []struct {
		argv []string
		want int
	}{
		{[]string{"true"}, 0},
		{[]string{"sh", "-c", "exit 1"}, 1},
		{[]string{"sh", "-c", "exit 42"}, 42},
		{[]string{"sh", "-c", "kill -9 $$"}, 128 + 9},
		{[]string{"/nonexistent/cmd"}, 255},
		{[]string{"no-such-command-golxc"}, 255},
	} {
		if got := Run(tc.argv, env, nil); got != tc.want {
			t.Errorf("Run(%q) = %d, want %d", tc.argv, got, tc.want)
		}
	}
}

// A signal sent to init reaches the command.
func TestForwardsSignals(t *testing.T) {
	dir := t.TempDir()
	ready := filepath.Join(dir, "ready")
	go func() {
		for {
			if _, err := os.Stat(ready); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		_ = syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	}()
	script := "trap 'exit 7' USR1; touch " + ready + "; while :; do sleep 0.05; done"
	if got := Run([]string{"sh", "-c", script}, env, nil); got != 7 {
		t.Fatalf("exit %d, want 7 (SIGUSR1 forwarded, trap ran)", got)
	}
}
