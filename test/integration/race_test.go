package integration

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/lock"
	"golang.org/x/sys/unix"
)

// TestMountTargetRacingSwap is CVE-2021-30465's shape: while golxc starts
// the container, a goroutine keeps exchanging a directory on the mount
// target's path with a symlink to a host directory. Whatever interleaving
// happens, nothing is created in, written to or mounted on the host
// directory (create=dir below the swapped component would mkdir there on
// a runtime that resolves the path twice or follows the link).
func TestMountTargetRacingSwap(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "hrace0"
	src := t.TempDir()
	os.WriteFile(filepath.Join(src, "evil"), []byte("x"), 0o644)
	victim := t.TempDir()
	os.WriteFile(filepath.Join(victim, "keep"), []byte("host\n"), 0o644)
	busybox(t, lp, name,
		"lxc.mount.entry = "+src+" mnt/t/sub none bind,create=dir 0 0",
		"lxc.mount.entry = "+filepath.Join(src, "evil")+" mnt/t/file none bind,create=file 0 0",
		"lxc.mount.entry = "+src+" mnt/t none bind,create=dir 0 0")
	mnt := filepath.Join(lp, name, "rootfs", "mnt")
	os.MkdirAll(filepath.Join(mnt, "t"), 0o755)
	if err := os.Symlink(victim, filepath.Join(mnt, "t.alt")); err != nil {
		t.Fatal(err)
	}
	want := treeSum(t, victim)

	stop := make(chan struct{})
	var swaps atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		dir, err := os.Open(mnt)
		if err != nil {
			return
		}
		defer dir.Close()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if unix.Renameat2(int(dir.Fd()), "t", int(dir.Fd()), "t.alt", unix.RENAME_EXCHANGE) == nil {
				swaps.Add(1)
			}
		}
	}()
	deadline := time.Now().Add(stressDuration(10*time.Second, 60*time.Second))
	var starts, ok int
	for time.Now().Before(deadline) {
		starts++
		r := run(t, nil, "lxc-start", "-P", lp, "-n", name)
		if r.code == 0 {
			ok++
			run(t, nil, "lxc-stop", "-P", lp, "-n", name, "-k")
		} else if r.code != 1 || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("start %d: %s", starts, r)
		}
		if hostMounted(victim) {
			t.Fatalf("start %d: a mount landed on the host at %s", starts, victim)
		}
		if got := treeSum(t, victim); got != want {
			t.Fatalf("start %d: the host directory changed:\n%s", starts, got)
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("%d starts (%d succeeded) against %d swaps", starts, ok, swaps.Load())
	if swaps.Load() == 0 {
		t.Fatal("the swapper never ran")
	}
	assertClean(t, lp, name)
}

// stressDuration is short by default; GOLXC_STRESS=1 selects the long run.
func stressDuration(short, long time.Duration) time.Duration {
	if os.Getenv("GOLXC_STRESS") == "1" {
		return long
	}
	return short
}

// stressOp is one command of the concurrency test and the exit codes its
// documentation allows.
type stressOp struct {
	tool    string
	args    func(lp, name string) []string
	allowed []int
}

// TestConcurrentLifecycle: 20 workers run start, stop, attach, destroy and
// create on 10 containers at random for a bounded time (10 s; 60 s with
// GOLXC_STRESS=1). No command may hang, exit with an undocumented code or
// crash; afterwards every config parses and equals its original text (or
// the container is gone), no lock is held and stopped containers left no
// monitor, cgroup, mount or socket.
func TestConcurrentLifecycle(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	createConf := filepath.Join(t.TempDir(), "create.conf")
	os.WriteFile(createConf, []byte("lxc.net.0.type = empty\n"), 0o644)
	names := make([]string, 10)
	original := map[string]string{}
	for i := range names {
		names[i] = fmt.Sprintf("hconc%d", i)
		cfg := busybox(t, lp, names[i])
		b, _ := os.ReadFile(cfg)
		original[names[i]] = string(b)
	}
	t.Cleanup(func() {
		for _, n := range names {
			run(t, nil, "lxc-stop", "-P", lp, "-n", n, "-k")
			killMonitors(t, lp, n)
		}
	})
	ops := []stressOp{
		{"lxc-start", func(lp, n string) []string { return []string{"-P", lp, "-n", n} }, []int{0, 1}},
		{"lxc-stop", func(lp, n string) []string { return []string{"-P", lp, "-n", n, "-k"} }, []int{0, 1, 2}},
		{"lxc-stop", func(lp, n string) []string { return []string{"-P", lp, "-n", n, "-t", "2"} }, []int{0, 1, 2}},
		// lxc-attach exits with the command's status: 128+9 or 128+15
		// when a concurrent stop kills it.
		{"lxc-attach", func(lp, n string) []string { return []string{"-P", lp, "-n", n, "--", "/bin/true"} }, []int{0, 1, 137, 143}},
		{"lxc-info", func(lp, n string) []string { return []string{"-P", lp, "-n", n} }, []int{0, 1}},
		{"lxc-destroy", func(lp, n string) []string { return []string{"-P", lp, "-n", n} }, []int{0, 1}},
		{"lxc-create", func(lp, n string) []string {
			return []string{"-P", lp, "-n", n, "-t", "busybox", "-f", createConf}
		}, []int{0, 1}},
	}
	const perCommand = 90 * time.Second // far above any normal run: a hang, not slowness
	deadline := time.Now().Add(stressDuration(10*time.Second, 60*time.Second))
	var mu sync.Mutex
	var problems []string
	counts := map[string]int{}
	msgs := map[string]int{}
	report := func(s string) {
		mu.Lock()
		if len(problems) < 30 {
			problems = append(problems, s)
		}
		mu.Unlock()
	}
	var wg sync.WaitGroup
	for w := 0; w < 20; w++ {
		wg.Add(1)
		go func(seed int64) {
			defer wg.Done()
			rng := rand.New(rand.NewSource(seed))
			for time.Now().Before(deadline) {
				op := ops[rng.Intn(len(ops))]
				name := names[rng.Intn(len(names))]
				args := op.args(lp, name)
				ctx, cancel := context.WithTimeout(context.Background(), perCommand)
				cmd := exec.CommandContext(ctx, filepath.Join(binDir, op.tool), args...)
				var errb bytes.Buffer
				cmd.Stderr = &errb
				err := cmd.Run()
				timedOut := ctx.Err() != nil
				cancel()
				code := 0
				if ee, ok := err.(*exec.ExitError); ok {
					code = ee.ExitCode()
				} else if err != nil {
					report(fmt.Sprintf("%s %v: %v", op.tool, args, err))
					continue
				}
				mu.Lock()
				counts[fmt.Sprintf("%s=%d", op.tool, code)]++
				if code != 0 {
					msgs[strings.ReplaceAll(strings.ReplaceAll(errb.String(), name, "NAME"), lp, "LP")]++
				}
				mu.Unlock()
				switch {
				case timedOut:
					report(fmt.Sprintf("%s %v hung for %v", op.tool, args, perCommand))
				case !contains(op.allowed, code):
					report(fmt.Sprintf("%s %v: exit %d not in %v: %s", op.tool, args, code, op.allowed, errb.String()))
				case strings.Contains(errb.String(), "panic") || strings.Contains(errb.String(), "internal error"):
					report(fmt.Sprintf("%s %v crashed: %s", op.tool, args, errb.String()))
				}
			}
		}(int64(w) + 1)
	}
	wg.Wait()
	var summary []string
	for k, v := range counts {
		summary = append(summary, fmt.Sprintf("%s:%d", k, v))
	}
	sort.Strings(summary)
	t.Logf("exit codes: %s", strings.Join(summary, " "))
	for m, n := range msgs {
		t.Logf("%4d× %s", n, strings.TrimSpace(m))
	}
	for _, p := range problems {
		t.Error(p)
	}

	for _, n := range names {
		run(t, nil, "lxc-stop", "-P", lp, "-n", n, "-k")
	}
	for _, n := range names {
		cfg := filepath.Join(lp, n, "config")
		b, err := os.ReadFile(cfg)
		switch {
		case os.IsNotExist(err):
			if _, err := os.Lstat(filepath.Join(lp, n)); err == nil {
				t.Errorf("%s: a container directory without a config was left", n)
			}
		case err != nil:
			t.Errorf("%s: %v", n, err)
		default:
			if string(b) != original[n] {
				t.Errorf("%s: config changed:\n%s\nwant:\n%s", n, b, original[n])
			}
			if r := run(t, nil, "lxc-info", "-P", lp, "-n", n, "-s", "-H"); r.code != 0 || r.stdout != "STOPPED\n" {
				t.Errorf("%s after lxc-stop -k: %s", n, r)
			}
		}
		assertClean(t, lp, n)
		l := lock.Container("/run", lp, n)
		if got, err := l.TryLock(); err != nil || !got {
			t.Errorf("%s: lock %s still held (%v)", n, l.Path(), err)
		} else {
			l.Unlock()
		}
	}
	// Any other lock file the tools made under this lxcpath is free too.
	ents, _ := os.ReadDir(filepath.Join("/run/lxc/lock", lp))
	for _, e := range ents {
		f, err := os.OpenFile(filepath.Join("/run/lxc/lock", lp, e.Name()), os.O_RDWR, 0)
		if err != nil {
			continue
		}
		lk := unix.Flock_t{Type: unix.F_WRLCK}
		if err := unix.FcntlFlock(f.Fd(), unix.F_OFD_GETLK, &lk); err == nil && lk.Type != unix.F_UNLCK {
			t.Errorf("lock file %s still held (pid %d)", e.Name(), lk.Pid)
		}
		if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
			t.Errorf("lock file %s still flock'ed: %v", e.Name(), err)
		}
		f.Close()
	}
}

func contains(list []int, v int) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
