package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/log"
)

func runTool(t *testing.T, tool *Tool, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := tool.Main(append([]string{tool.Name}, args...), strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func sample(got *Ctx) *Tool {
	return &Tool{
		Name: "lxc-sample", Help: "--name=NAME\n\nsample tool\n",
		Options: []Option{{Short: 's', Long: "state", Set: func(string) error { return nil }}},
		Run:     func(c *Ctx) int { *got = *c; return 7 },
	}
}

func TestToolPositionalNameAndExit(t *testing.T) {
	var got Ctx
	code, _, _ := runTool(t, sample(&got), "c1", "-s", "-P", "/tmp/lp//", "rest")
	if code != 7 || got.Name != "c1" || got.LXCPath != "/tmp/lp" || strings.Join(got.Args, ",") != "rest" {
		t.Fatalf("code %d ctx %+v", code, got)
	}
}

func TestToolMissingName(t *testing.T) {
	var got Ctx
	code, out, errs := runTool(t, sample(&got), "-s")
	if code != 1 || out != "" || errs != "lxc-sample: No container name specified\n" {
		t.Fatalf("code %d out %q err %q", code, out, errs)
	}
}

func TestToolHelpUsageVersion(t *testing.T) {
	var got Ctx
	code, out, errs := runTool(t, sample(&got), "--version")
	if code != 0 || out != "5.0.2\n" || errs != "" {
		t.Fatalf("version: %d %q %q", code, out, errs)
	}
	code, out, errs = runTool(t, sample(&got), "--help")
	if code != 0 || out != "" || !strings.HasPrefix(errs, "Usage: lxc-sample --name=NAME\n\nsample tool\n\nCommon options :\n") ||
		!strings.HasSuffix(errs, "See the lxc-sample man page for further information.\n\n") {
		t.Fatalf("help: %d %q %q", code, out, errs)
	}
	code, _, errs = runTool(t, sample(&got), "--usage")
	want := "Usage: lxc-sample [-s|--state] [-n|--name=NAME] [-h|--help] [-?|--help] \n\t[--usage] [--version] [-q|--quiet] [-o|--logfile=LOGFILE] \n\t[-l|--logpriority=LOGPRIORITY] [-P|--lxcpath=LXCPATH] [--rcfile=RCFILE] \n"
	if code != 0 || errs != want {
		t.Fatalf("usage: %d\n%q\n%q", code, errs, want)
	}
}

func TestToolBadOptionPrintsHelpAndFails(t *testing.T) {
	var got Ctx
	code, _, errs := runTool(t, sample(&got), "-x", "c1")
	if code != 1 || !strings.HasPrefix(errs, "lxc-sample: invalid option -- 'x'\nUsage: lxc-sample ") {
		t.Fatalf("%d %q", code, errs)
	}
}

func TestToolSingleLXCPath(t *testing.T) {
	var got Ctx
	code, _, errs := runTool(t, sample(&got), "-n", "c", "-P", "/a", "-P", "/b")
	if code != 1 || errs != "This command only accepts 1 -P,--lxcpath arguments\n" {
		t.Fatalf("%d %q", code, errs)
	}
}

// LXC accepts any -l value: WARNING, a number or a typo run the tool at the
// default level (ERROR), so WARN lines stay out of the file.
func TestToolUnknownLogPriorityAccepted(t *testing.T) {
	for _, lvl := range []string{"WARNING", "LOUD", "4"} {
		logf := filepath.Join(t.TempDir(), "t.log")
		tool := &Tool{Name: "lxc-sample", Help: "--name=NAME\n",
			Run: func(c *Ctx) int { log.Warnf("a warning"); log.Errorf("an error"); return 0 }}
		code, _, errs := runTool(t, tool, "-n", "c", "-q", "-l", lvl, "-o", logf)
		b, _ := os.ReadFile(logf)
		if code != 0 || strings.Contains(string(b), "a warning") || !strings.Contains(string(b), " ERROR ") {
			t.Fatalf("-l %s: %d %q\n%s", lvl, code, errs, b)
		}
	}
	logf := filepath.Join(t.TempDir(), "t.log")
	tool := &Tool{Name: "lxc-sample", Help: "--name=NAME\n", Run: func(c *Ctx) int { log.Warnf("a warning"); return 0 }}
	if code, _, _ := runTool(t, tool, "-n", "c", "-l", "warn", "-o", logf); code != 0 {
		t.Fatal(code)
	}
	if b, _ := os.ReadFile(logf); !strings.Contains(string(b), "lxc-sample c ") || !strings.Contains(string(b), " WARN     cli - tool_test.go:") {
		t.Fatalf("-l warn:\n%s", b)
	}
}
