// Package integration drives the real golxc binary through its lxc-* links
// against temporary lxcpaths, as a user would. Tests that need root skip
// without it; tests that compare with LXC 5.0.2 skip when it is absent.
package integration

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/testbuild"
	"github.com/golxc/golxc/internal/testuser"
)

var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "golxc-it-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binDir = dir
	os.Chmod(dir, 0o755) // tests also run the tools as an unprivileged user
	// The same static link as make build (lxc-execute re-executes golxc
	// inside the container), with the same C library and collector.
	if err := testbuild.Golxc(filepath.Join(dir, "golxc"), filepath.Join(dir, ".build")); err != nil {
		fmt.Fprintln(os.Stderr, "build golxc:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	// The image helper (lxc-create -t download, golxc image), found next
	// to golxc as in a build tree's bin/.
	buildImage := exec.Command("go", "build", "-trimpath", "-tags", "netgo,osusergo", "-ldflags", "-s -w",
		"-o", filepath.Join(dir, "golxc-image"), "github.com/golxc/golxc/cmd/golxc-image")
	buildImage.Stdout, buildImage.Stderr = os.Stderr, os.Stderr
	buildImage.Env = append(os.Environ(), "CGO_ENABLED=0")
	if err := buildImage.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build golxc-image:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	// golxc's setuid-root lxc-user-nic next to golxc, where lxc-start
	// looks first (a user's veths go through it); setuid only works
	// when the tests run as root.
	nic := exec.Command("go", "build", "-trimpath", "-tags", "netgo,osusergo", "-ldflags", "-s -w",
		"-o", filepath.Join(dir, "lxc-user-nic"), "github.com/golxc/golxc/cmd/lxc-user-nic")
	nic.Env = append(os.Environ(), "CGO_ENABLED=0")
	nic.Stdout, nic.Stderr = os.Stderr, os.Stderr
	if err := nic.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build lxc-user-nic:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	if os.Geteuid() == 0 {
		os.Chmod(filepath.Join(dir, "lxc-user-nic"), 0o755|os.ModeSetuid)
	}
	// The query tools' small binary without cgo, as make build; make
	// install links the tools it lists (golxc-query --list-tools) to it.
	// The Makefile's QUERYENTRY: on amd64 its ELF entry sets the timer
	// slack before the Go runtime starts (cmd/golxc-query/entry_amd64.s).
	qflags := "-s -w"
	if runtime.GOARCH == "amd64" {
		qflags += " -E golxc_query_entry"
	}
	q := exec.Command("go", "build", "-trimpath", "-tags", "netgo,osusergo", "-ldflags", qflags,
		"-o", filepath.Join(dir, "golxc-query"), "github.com/golxc/golxc/cmd/golxc-query")
	q.Env = append(os.Environ(), "CGO_ENABLED=0")
	q.Stdout, q.Stderr = os.Stderr, os.Stderr
	if err := q.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build golxc-query:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	queryTools := map[string]bool{"lxc-info": true, "lxc-stop": true, "lxc-wait": true}
	for _, t := range []string{"lxc-ls", "lxc-info", "lxc-config", "lxc-create", "lxc-destroy", "lxc-update-config",
		"lxc-checkconfig", "lxc-start", "lxc-stop", "lxc-wait", "lxc-execute", "lxc-attach", "lxc-console",
		"lxc-freeze", "lxc-unfreeze", "lxc-cgroup", "lxc-monitor", "lxc-copy", "lxc-snapshot", "lxc-autostart", "lxc-shutdown", "lxc-top", "lxc-device", "lxc-unshare", "lxc-usernsexec", "lxc-checkpoint", "lxc-sandbox"} {
		target := "golxc"
		if queryTools[t] {
			target = "golxc-query"
		}
		os.Symlink(target, filepath.Join(dir, t))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func (r result) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
}

// run runs one of our tools (by its lxc-* name) with extra environment.
func run(t *testing.T, env []string, tool string, args ...string) result {
	t.Helper()
	return runPath(t, env, filepath.Join(binDir, tool), args...)
}

// runPath runs any executable, capturing streams and the exit code.
func runPath(t *testing.T, env []string, path string, args ...string) result {
	t.Helper()
	return runPathTimeout(t, 0, env, path, args...)
}

// runPathTimeout is runPath with a hard limit (0: none): a command still
// running at the limit fails the test, naming it (the bugs these runs
// guard against are hangs). Call it from the test's goroutine.
func runPathTimeout(t *testing.T, limit time.Duration, env []string, path string, args ...string) result {
	t.Helper()
	r, err := execBounded(limit, env, path, args...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// execBounded runs path with args; past limit (if > 0) it gets SIGTERM,
// then SIGKILL and its pipes are dropped 10 s later, and the run is an
// error. Safe from any goroutine.
func execBounded(limit time.Duration, env []string, path string, args ...string) (result, error) {
	ctx := context.Background()
	if limit > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, limit)
		defer cancel()
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 10 * time.Second
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), env...)
	err := cmd.Run()
	if ctx.Err() != nil {
		return result{-1, out.String(), errb.String()}, fmt.Errorf("%s %s hung (stopped after %v); stderr:\n%s", path, strings.Join(args, " "), limit, errb.String())
	}
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		return result{}, fmt.Errorf("run %s: %w", path, err)
	}
	return result{code, out.String(), errb.String()}, nil
}

// runCmd runs a prepared command (credentials, environment, directory
// set by the caller) and collects its exit code and output.
func runCmd(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	r := testuser.Run(t, cmd)
	return result{r.Code, r.Stdout, r.Stderr}
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}

// lxcTool returns the path of LXC 5.0.2's tool, or skips the test.
func lxcTool(t *testing.T, name string) string {
	t.Helper()
	p := "/usr/bin/" + name
	if _, err := os.Stat(p); err != nil {
		t.Skipf("LXC is not installed (%s missing): differential test skipped", p)
	}
	return p
}

// lxcpath makes a temporary lxcpath that is removed after the test; any
// container left running in it is killed first.
func lxcpath(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "golxc-it-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			// -o none: the container's lxc.log.file may be in a test
			// directory removed already, which a log would create again.
			run(t, nil, "lxc-stop", "-P", dir, "-n", e.Name(), "-k", "-o", "none")
		}
		os.RemoveAll(dir)
		// The per-container lock files live under RUNDIR/lxc/lock/LXCPATH.
		os.RemoveAll(filepath.Join("/run/lxc/lock", dir))
	})
	return dir
}

// writeConfig creates LXCPATH/NAME/config with the given lines, making the
// container "defined" without running a template.
func writeConfig(t *testing.T, lp, name string, lines ...string) string {
	t.Helper()
	dir := filepath.Join(lp, name)
	if err := os.MkdirAll(dir, 0o770); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, "config")
	if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	return p
}

func expect(t *testing.T, r result, code int, stdout, stderr string) {
	t.Helper()
	if r.code != code || r.stdout != stdout || r.stderr != stderr {
		t.Fatalf("got %s\nwant exit %d\nstdout:\n%q\nstderr:\n%q\n(got stdout %q stderr %q)", r, code, stdout, stderr, r.stdout, r.stderr)
	}
}

// dropLockDirs removes, after the test, the lock directories the tools
// made under /run/lxc/lock for lxcpaths below dir (a t.TempDir(): its
// parent is the test's own).
func dropLockDirs(t *testing.T, dir string) {
	t.Cleanup(func() { os.RemoveAll(filepath.Join("/run/lxc/lock", filepath.Dir(dir))) })
}
