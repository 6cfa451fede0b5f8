package integration

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestStorm runs random lifecycle operations from many workers on a few
// busybox containers, the frozen cases included (lxc-freeze, and the
// container's root freezing its own cgroup from inside). Every command
// has a hard limit: a command that hangs fails the test by name. At the
// end everything is destroyed and nothing may be left: monitors, cgroups,
// lock directories. STORM_SECONDS lengthens it (default 30),
// STORM_WORKERS and STORM_CONTAINERS change its width (20 and 10).
func TestStorm(t *testing.T) {
	needRoot(t)
	if testing.Short() {
		t.Skip("storm skipped in -short mode")
	}
	seconds := envInt("STORM_SECONDS", 30)
	workers := envInt("STORM_WORKERS", 20)
	ncont := envInt("STORM_CONTAINERS", 10)
	const limit = 60 * time.Second

	lp := cleanLxcpath(t)
	names := make([]string, ncont)
	for i := range names {
		names[i] = fmt.Sprintf("stop-st%d", i)
		// Every monitor narrates at TRACE: a hung command is reported
		// with the end of its container's log.
		busybox(t, lp, names[i], "lxc.log.file = "+stormLog(lp, names[i]), "lxc.log.level = TRACE")
	}
	ops := []struct {
		name string
		args func(n string) (string, []string)
	}{
		{"start", func(n string) (string, []string) { return "lxc-start", []string{"-P", lp, "-n", n} }},
		{"stop -k", func(n string) (string, []string) { return "lxc-stop", []string{"-P", lp, "-n", n, "-k"} }},
		{"freeze", func(n string) (string, []string) { return "lxc-freeze", []string{"-P", lp, "-n", n} }},
		{"unfreeze", func(n string) (string, []string) { return "lxc-unfreeze", []string{"-P", lp, "-n", n} }},
		{"attach", func(n string) (string, []string) {
			return "lxc-attach", []string{"-P", lp, "-n", n, "--", "true"}
		}},
		{"self-freeze", func(n string) (string, []string) {
			return "lxc-attach", []string{"-P", lp, "-n", n, "--", "sh", "-c", "echo FROZEN > /sys/fs/cgroup/freezer/freezer.state"}
		}},
		{"info", func(n string) (string, []string) { return "lxc-info", []string{"-P", lp, "-n", n} }},
		{"ls", func(string) (string, []string) { return "lxc-ls", []string{"-P", lp, "-f"} }},
	}

	var (
		mu    sync.Mutex
		hangs []string
		count int
	)
	deadline := time.Now().Add(time.Duration(seconds) * time.Second)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rnd := rand.New(rand.NewSource(seed))
			for time.Now().Before(deadline) {
				op := ops[rnd.Intn(len(ops))]
				tool, args := op.args(names[rnd.Intn(len(names))])
				// The self-freezing shell never returns by itself: it
				// is told to stop like `timeout` would, after a while.
				// A plain attach waits, as with LXC, while its
				// container is frozen, which may last past the storm's
				// end (nobody left to thaw it): it gets the same
				// treatment, later. Ignoring the signal is the hang.
				soft := time.Duration(0)
				switch op.name {
				case "self-freeze":
					soft = 2 * time.Second
				case "attach":
					soft = 20 * time.Second
				}
				if hung := runStormCmd(limit, soft, tool, args); hung != "" {
					hung += "\n" + stormDiag(lp, args)
					mu.Lock()
					hangs = append(hangs, hung)
					mu.Unlock()
				}
				mu.Lock()
				count++
				mu.Unlock()
			}
		}(time.Now().UnixNano() + int64(w))
	}
	wg.Wait()
	t.Logf("storm: %d commands from %d workers on %d containers in %d s", count, workers, ncont, seconds)
	for _, n := range names {
		if r := runStormCmd(limit, 0, "lxc-destroy", []string{"-P", lp, "-n", n, "-f"}); r != "" {
			hangs = append(hangs, r+"\n"+stormDiag(lp, []string{"-n", n}))
		}
	}
	if len(hangs) > 0 {
		t.Errorf("%d hung commands:\n%s", len(hangs), strings.Join(hangs, "\n"))
	}
	for _, n := range names {
		assertClean(t, lp, n)
	}
	if ents, _ := os.ReadDir(filepath.Join("/run/lxc/lock", lp)); len(ents) > 0 {
		var left []string
		for _, e := range ents {
			left = append(left, e.Name())
		}
		t.Logf("lock entries left under /run/lxc/lock%s: %v (removed by the test's cleanup)", lp, left)
	}
}

// runStormCmd runs one command; soft > 0 sends SIGINT after soft (what
// `timeout -s INT` does). It returns a description when the command had
// to be killed at limit, or when something it started still held its
// stdout or stderr 5 s after it exited, else "".
func runStormCmd(limit, soft time.Duration, tool string, args []string) string {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, tool), args...)
	cmd.WaitDelay = 5 * time.Second
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out // pipes: a helper that keeps them is seen
	if err := cmd.Start(); err != nil {
		return ""
	}
	if soft > 0 {
		t := time.AfterFunc(soft, func() { cmd.Process.Signal(os.Interrupt) })
		defer t.Stop()
	}
	err := cmd.Wait()
	what := tool + " " + strings.Join(args, " ")
	if ctx.Err() != nil {
		return fmt.Sprintf("%s (killed after %v)", what, limit)
	}
	if errors.Is(err, exec.ErrWaitDelay) {
		return fmt.Sprintf("%s (exited, but its output stayed open: a helper held it)", what)
	}
	return ""
}

func stormLog(lp, name string) string { return filepath.Join(lp, name, "storm.log") }

// stormDiag describes the container a hung command was about (its -n):
// the processes of its monitor and container, with what they wait in,
// and the last lines of the monitor's TRACE log.
func stormDiag(lp string, args []string) string {
	name := ""
	for i, a := range args {
		if a == "-n" && i+1 < len(args) {
			name = args[i+1]
		}
	}
	if name == "" {
		return ""
	}
	var b strings.Builder
	ps, _ := exec.Command("ps", "-eo", "pid,ppid,stat,wchan:32,args").Output()
	// The processes naming the container (tools, monitor) and their
	// descendants (init and what attach started).
	rows := strings.Split(string(ps), "\n")
	keep := map[string]bool{}
	for changed := true; changed; {
		changed = false
		for _, l := range rows {
			f := strings.Fields(l)
			if len(f) < 5 || keep[f[0]] {
				continue
			}
			if strings.HasSuffix(l, " "+name) || strings.Contains(l, " "+name+" ") || keep[f[1]] {
				keep[f[0]], changed = true, true
			}
		}
	}
	for _, l := range rows {
		if f := strings.Fields(l); len(f) >= 5 && keep[f[0]] {
			b.WriteString("  ps: " + l + "\n")
		}
	}
	log, _ := os.ReadFile(stormLog(lp, name))
	// STORM_KEEP_LOGS=DIR keeps the whole log of a hung command's
	// container (the lxcpath goes with the test).
	if dir := os.Getenv("STORM_KEEP_LOGS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s-%d.log", name, time.Now().UnixNano())), log, 0o644)
	}
	lines := strings.Split(strings.TrimRight(string(log), "\n"), "\n")
	if len(lines) > 60 {
		lines = lines[len(lines)-60:]
	}
	b.WriteString("  last lines of " + stormLog(lp, name) + ":\n    " + strings.Join(lines, "\n    "))
	return b.String()
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil && v > 0 {
		return v
	}
	return def
}
