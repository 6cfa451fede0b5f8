package integration

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// hookScript writes an executable script that records its arguments and
// LXC_* environment into DIR/TYPE (TYPE from LXC_HOOK_TYPE, else $3).
func hookScript(t *testing.T, path, dir string) {
	t.Helper()
	script := "#!/bin/sh\nt=${LXC_HOOK_TYPE:-$3}\n{ echo \"args=$*\"; echo \"pwd=$(pwd)\"; env | grep '^LXC_' | sort; } > " + dir + "/$t.tmp\nmv " + dir + "/$t.tmp " + dir + "/$t\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

func hookEnv(t *testing.T, dir, typ string) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, typ))
	if err != nil {
		t.Fatalf("%s hook did not run: %v", typ, err)
	}
	env := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		k, v, _ := strings.Cut(l, "=")
		env[k] = v
	}
	return env
}

// TestHooksVersion0: every hook runs, in the right place, with LXC's
// arguments (NAME lxc TYPE, plus ns fds for stop) and environment.
func TestHooksVersion0(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "hook0"
	out, entry := outDir(t)
	host := filepath.Join(t.TempDir(), "setup.sh") // seed 003: lxc.hook.pre-start = /path/setup.sh
	hookScript(t, host, out)
	cfg := busybox(t, lp, name, entry,
		"lxc.hook.pre-start = "+host,
		"lxc.hook.pre-mount = "+host,
		"lxc.hook.mount = "+host,
		"lxc.hook.autodev = "+host,
		"lxc.hook.start = /hook.sh",
		"lxc.hook.start-host = "+host,
		"lxc.hook.stop = "+host,
		"lxc.hook.post-stop = "+host)
	hookScript(t, filepath.Join(lp, name, "rootfs", "hook.sh"), "/mnt/out")
	startRunning(t, lp, name)
	pid := initPid(t, lp, name)
	mustRun(t, "lxc-stop", "-P", lp, "-n", name, "-k")
	assertClean(t, lp, name)

	rootfs := filepath.Join(lp, name, "rootfs")
	for _, typ := range []string{"pre-start", "pre-mount", "mount", "autodev", "start", "start-host", "stop", "post-stop"} {
		env := hookEnv(t, out, typ)
		want := map[string]string{
			"LXC_NAME": name, "LXC_CONFIG_FILE": cfg, "LXC_ROOTFS_PATH": rootfs,
			"LXC_CGNS_AWARE": "1", "LXC_HOOK_VERSION": "0", "LXC_LOG_LEVEL": "ERROR",
			"LXC_ROOTFS_MOUNT": "/usr/lib/x86_64-linux-gnu/lxc/rootfs",
		}
		for k, v := range want {
			if env[k] != v {
				t.Errorf("%s hook: %s=%q, want %q", typ, k, env[k], v)
			}
		}
		if env["LXC_HOOK_TYPE"] != "" {
			t.Errorf("%s hook: LXC_HOOK_TYPE is for lxc.hook.version = 1", typ)
		}
		args := name + " lxc " + typ
		if typ == "stop" {
			if !regexp.MustCompile(`^` + args + `( (mnt|pid|uts|ipc|net|cgroup):/proc/\d+/fd/\d+){6}$`).MatchString(env["args"]) {
				t.Errorf("stop hook args: %q", env["args"])
			}
		} else if env["args"] != args {
			t.Errorf("%s hook args: %q, want %q", typ, env["args"], args)
		}
		switch typ {
		case "start-host", "stop", "post-stop":
			if env["LXC_PID"] != strconv.Itoa(pid) {
				t.Errorf("%s hook: LXC_PID=%q, want %d", typ, env["LXC_PID"], pid)
			}
		}
		if typ == "stop" || typ == "post-stop" {
			if env["LXC_TARGET"] != "stop" || !strings.HasPrefix(env["LXC_MNT_NS"], "/proc/") {
				t.Errorf("%s hook: LXC_TARGET=%q LXC_MNT_NS=%q", typ, env["LXC_TARGET"], env["LXC_MNT_NS"])
			}
		}
		if typ == "start" && env["pwd"] != "/" {
			t.Errorf("start hook cwd %q", env["pwd"])
		}
	}
}

// TestHooksVersion1: no positional arguments; type and section in env.
func TestHooksVersion1(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "hook1"
	out := t.TempDir()
	host := filepath.Join(t.TempDir(), "hook.sh")
	hookScript(t, host, out)
	busybox(t, lp, name, "lxc.hook.version = 1",
		"lxc.hook.pre-start = "+host+" extra1 extra2",
		"lxc.hook.post-stop = "+host)
	startRunning(t, lp, name)
	killStop(t, lp, name)
	assertClean(t, lp, name)
	env := hookEnv(t, out, "pre-start")
	if env["args"] != "extra1 extra2" || env["LXC_HOOK_TYPE"] != "pre-start" || env["LXC_HOOK_SECTION"] != "lxc" || env["LXC_HOOK_VERSION"] != "1" {
		t.Errorf("pre-start v1: %v", env)
	}
	env = hookEnv(t, out, "post-stop")
	if env["args"] != "" || env["LXC_HOOK_TYPE"] != "post-stop" || env["LXC_TARGET"] != "stop" {
		t.Errorf("post-stop v1: %v", env)
	}
}

// TestHookFailureAborts: a failing pre-start hook is one error line and
// nothing is left.
func TestHookFailureAborts(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	name := "hookf1"
	busybox(t, lp, name, `lxc.hook.pre-start = /bin/sh -c "echo no pulse here >&2; exit 3"`)
	r := run(t, nil, "lxc-start", "-P", lp, "-n", name)
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "pre-start hook") ||
		!strings.Contains(r.stderr, "exited with status 3") || !strings.Contains(r.stderr, "no pulse here") {
		t.Fatalf("%s", r)
	}
	expect(t, run(t, nil, "lxc-info", "-P", lp, "-n", name, "-s", "-H"), 0, "STOPPED\n", "")
	assertClean(t, lp, name)
}
