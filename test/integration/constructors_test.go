package integration

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/testbuild"
)

// TestConstructorsSeeMainArgs: golxc's C constructors (internal/nsexec)
// find main's argv with whatever C library golxc is linked with (musl,
// where make build and this harness use it, calls constructors without
// arguments; mainargs.c finds them). lxc-sandbox run as lxc-sandbox, as
// golxc sandbox and as golxc lxc-sandbox forks its guard before the Go
// runtime starts (sandboxguard.c reads argv[0] and argv[1]) and starts
// with the coarse timer slack on a thread of its own (cheapstart.c, the
// tool's name).
func TestConstructorsSeeMainArgs(t *testing.T) {
	needRoot(t)
	t.Logf("golxc is linked with %s", testbuild.Libc())
	own, err := os.ReadFile("/proc/self/timerslack_ns")
	if err != nil {
		t.Skip(err)
	}
	for i, argv := range [][]string{{"lxc-sandbox"}, {"golxc", "sandbox"}, {"golxc", "lxc-sandbox"}} {
		name := fmt.Sprintf("musl-args%d", i)
		lp := lxcpath(t)
		args := append(append([]string{}, argv[1:]...), "-P", lp, "-n", name, "--", "/bin/sh", "-c", "echo up; read x; exit 0")
		cmd := exec.Command(filepath.Join(binDir, argv[0]), args...)
		in, out := startPiped(t, cmd)
		line, _ := bufio.NewReader(out).ReadString('\n')
		guards := sandboxGuards(name, cmd.Process.Pid)
		forked := false
		if len(guards) == 1 {
			g := strconv.Itoa(guards[0])
			comm, _ := os.ReadFile("/proc/" + g + "/comm")
			stat, _ := os.ReadFile("/proc/" + g + "/stat")
			if i := strings.LastIndexByte(string(stat), ')'); i > 0 && i+2 <= len(stat) {
				f := strings.Fields(string(stat[i+2:]))
				forked = string(comm) == "sandbox-guard\n" && len(f) > 1 && f[1] == strconv.Itoa(cmd.Process.Pid)
			}
		}
		coarse := false
		tids, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", cmd.Process.Pid))
		for _, tid := range tids {
			b, _ := os.ReadFile("/proc/" + tid.Name() + "/timerslack_ns")
			coarse = coarse || strings.TrimSpace(string(b)) == "1000000"
		}
		in.Close()
		err = cmd.Wait()
		if line != "up\n" || err != nil {
			t.Fatalf("%v: %q, %v", argv, line, err)
		}
		if !forked {
			t.Errorf("%v: no guard forked by lxc-sandbox %d (guards %v): its constructor did not recognize argv", argv, cmd.Process.Pid, guards)
		}
		if strings.TrimSpace(string(own)) != "1000000" && !coarse {
			t.Errorf("%v: no thread has the coarse timer slack: the cheap-start constructor did not recognize argv", argv)
		}
		assertClean(t, lp, name)
	}
	assertSandboxClean(t, "")
}
