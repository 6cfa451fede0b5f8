package lock

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The test binary re-executes itself as a second lock holder: with
// GOLXC_LOCK_HELPER set it takes the requested lock, prints "ready" and
// holds it until its stdin is closed (or it is killed).
const helperEnv = "GOLXC_LOCK_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode, os.Args[len(os.Args)-3:]))
	}
	os.Exit(m.Run())
}

func runHelper(mode string, args []string) int {
	var release func() error
	switch mode {
	case "container":
		l := Container(args[0], args[1], args[2])
		ok, err := l.TryLock()
		if err != nil || !ok {
			fmt.Fprintln(os.Stderr, "helper: trylock:", ok, err)
			return 2
		}
		release = l.Unlock
	case "partial":
		p, err := CreatePartial(args[2])
		if err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 2
		}
		release = p.Done
	default:
		return 3
	}
	fmt.Println("ready")
	io.Copy(io.Discard, os.Stdin)
	if err := release(); err != nil {
		fmt.Fprintln(os.Stderr, "helper: release:", err)
		return 4
	}
	return 0
}

type holder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// startHolder runs the helper and returns once it holds the lock.
func startHolder(t *testing.T, mode string, args ...string) *holder {
	t.Helper()
	for len(args) < 3 {
		args = append([]string{"-"}, args...)
	}
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), helperEnv+"="+mode)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &holder{cmd: cmd, stdin: stdin}
	t.Cleanup(func() {
		if h.cmd.ProcessState == nil {
			h.cmd.Process.Kill()
			h.cmd.Wait()
		}
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "ready" {
		t.Fatalf("helper did not get the lock: %q %v", line, err)
	}
	return h
}

// release lets the helper unlock and exit cleanly.
func (h *holder) release(t *testing.T) {
	t.Helper()
	h.stdin.Close()
	if err := h.cmd.Wait(); err != nil {
		t.Fatalf("helper exit: %v", err)
	}
}

// kill kills the helper with SIGKILL, so it never unlocks by itself.
func (h *holder) kill(t *testing.T) {
	t.Helper()
	if err := h.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	h.cmd.Wait()
}
