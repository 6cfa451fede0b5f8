package hooks

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeScript(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "hook")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRunVersion0ArgsAndEnv(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	h := writeScript(t, `echo "$@" > `+out+`; env | grep ^LXC_ | sort >> `+out+"\n")
	c := Context{Name: "c1", ConfigFile: "/x/c1/config", RootfsMount: "/mnt/r", RootfsPath: "/x/c1/rootfs",
		PID: 42, NS: map[string]string{"net": "/proc/1/fd/5", "mnt": "/proc/1/fd/4"}, Target: "stop"}
	if err := Run(Stop, []string{h}, c); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	got := string(b)
	for _, want := range []string{
		"c1 lxc stop mnt:/proc/1/fd/4 net:/proc/1/fd/5\n",
		"LXC_NAME=c1\n", "LXC_CONFIG_FILE=/x/c1/config\n", "LXC_ROOTFS_MOUNT=/mnt/r\n",
		"LXC_ROOTFS_PATH=/x/c1/rootfs\n", "LXC_CGNS_AWARE=1\n", "LXC_LOG_LEVEL=ERROR\n",
		"LXC_HOOK_VERSION=0\n", "LXC_PID=42\n", "LXC_NET_NS=/proc/1/fd/5\n", "LXC_MNT_NS=/proc/1/fd/4\n",
		"LXC_TARGET=stop\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("missing %q in hook output:\n%s", want, got)
		}
	}
	if strings.Contains(got, "LXC_HOOK_TYPE") {
		t.Errorf("v0 hook must not get LXC_HOOK_TYPE:\n%s", got)
	}
}

func TestRunVersion1(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	h := writeScript(t, `echo "args:$*" > `+out+`; echo "$LXC_HOOK_TYPE $LXC_HOOK_SECTION" >> `+out+"\n")
	if err := Run(PreStart, []string{h + " extra1 extra2"}, Context{Name: "c1", Version: 1}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if string(b) != "args:extra1 extra2\npre-start lxc\n" {
		t.Fatalf("got %q", b)
	}
}

func TestFailureNamesHookAndLastLine(t *testing.T) {
	h := writeScript(t, "echo first; echo 'no network' >&2; exit 3\n")
	second := filepath.Join(t.TempDir(), "ran")
	err := Run(PreStart, []string{h, "touch " + second}, Context{Name: "c1"})
	if err == nil {
		t.Fatal("failing hook returned nil")
	}
	want := `pre-start hook "` + h + `" exited with status 3: no network`
	if err.Error() != want {
		t.Fatalf("error %q, want %q", err, want)
	}
	if _, e := os.Stat(second); e == nil {
		t.Fatal("hooks after a failing one must not run")
	}
}

func TestOrder(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	cmds := []string{"echo one >> " + out + " #", "echo two >> " + out + " #"}
	if err := Run(Mount, cmds, Context{Name: "c"}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(out)
	if string(b) != "one\ntwo\n" {
		t.Fatalf("got %q", b)
	}
}
