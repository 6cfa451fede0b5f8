package spawn

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/selfexe"
)

// The test binary doubles as the stage child, as runc's init_test.go does:
// Start re-executes it, and RunStageIfRequested runs one of these stages.
func TestMain(m *testing.M) {
	selfexe.MarkMain() // the test binary serves its own stages
	RegisterStage("test-report", reportStage)
	RegisterStage("test-exit", func(_ *os.File, args []string) int {
		code, _ := strconv.Atoi(args[0])
		return code
	})
	RunStageIfRequested()
	os.Exit(m.Run())
}

// report is what a test stage sees from inside its namespaces.
type report struct {
	Pid       int
	Sid       int
	Pdeathsig int
	Hostname  string
	NS        map[string]string // readlink /proc/self/ns/<name>
	UIDMap    string
	Env       []string
	Err       string
}

var nsNames = []string{"user", "uts", "ipc", "net", "mnt", "pid", "cgroup"}

// reportStage optionally sets the hostname (args[0]), reports, then waits
// for any message (or EOF) and exits 0, so the parent can inspect it alive.
func reportStage(sync *os.File, args []string) int {
	r := report{Pid: os.Getpid(), NS: map[string]string{}, Env: os.Environ()}
	var errs []string
	if len(args) > 0 && args[0] != "" {
		if err := unix.Sethostname([]byte(args[0])); err != nil {
			errs = append(errs, "sethostname: "+err.Error())
		}
	}
	r.Hostname, _ = os.Hostname()
	r.Sid, _ = unix.Getsid(0)
	var sig int32
	if err := unix.Prctl(unix.PR_GET_PDEATHSIG, uintptr(unsafe.Pointer(&sig)), 0, 0, 0); err == nil {
		r.Pdeathsig = int(sig)
	}
	for _, n := range nsNames {
		link, err := os.Readlink("/proc/self/ns/" + n)
		if err != nil {
			errs = append(errs, err.Error())
		}
		r.NS[n] = link
	}
	m, _ := os.ReadFile("/proc/self/uid_map")
	r.UIDMap = string(m)
	r.Err = strings.Join(errs, "; ")
	if err := Send(sync, r); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 3
	}
	var stop struct{}
	Recv(sync, &stop)
	return 0
}

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
}
