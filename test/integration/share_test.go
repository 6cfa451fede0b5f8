package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Namespace sharing (lxc.namespace.share.*, --share-net|ipc|uts|pid): a
// shared namespace is the target's, the others are the container's own.

func nsLink(t *testing.T, pid int, ns string) string {
	t.Helper()
	l, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// hostnameOf reads the hostname of pid's uts namespace (setns on a locked
// thread that is then thrown away).
func hostnameOf(t *testing.T, pid int) string {
	t.Helper()
	type res struct {
		name string
		err  error
	}
	ch := make(chan res, 1)
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with us
		f, err := os.Open(fmt.Sprintf("/proc/%d/ns/uts", pid))
		if err != nil {
			ch <- res{err: err}
			return
		}
		defer f.Close()
		if err := unix.Setns(int(f.Fd()), unix.CLONE_NEWUTS); err != nil {
			ch <- res{err: err}
			return
		}
		var u unix.Utsname
		err = unix.Uname(&u)
		ch <- res{unix.ByteSliceToString(u.Nodename[:]), err}
	}()
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	return r.name
}

// checkShared asserts which namespaces of pid are those of target.
func checkShared(t *testing.T, pid, target int, shared ...string) {
	t.Helper()
	is := map[string]bool{}
	for _, n := range shared {
		is[n] = true
	}
	for _, n := range []string{"net", "uts", "ipc", "pid", "mnt"} {
		a, b := nsLink(t, pid, n), nsLink(t, target, n)
		if is[n] && a != b {
			t.Errorf("%s: %s, want the target's %s", n, a, b)
		}
		if !is[n] && a == b {
			t.Errorf("%s: %s is the target's, want its own", n, a)
		}
	}
}

func TestShareNamespaces(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "shr1")
	cfg2 := busybox(t, lp, "shr2")
	base, err := os.ReadFile(cfg2)
	if err != nil {
		t.Fatal(err)
	}
	startRunning(t, lp, "shr1")
	c1 := initPid(t, lp, "shr1")
	pid := strconv.Itoa(c1)

	for _, tc := range []struct {
		name   string
		args   []string
		config []string
		shared []string
	}{
		{"options", []string{"--share-net", "shr1", "-s", "lxc.namespace.share.uts=shr1"}, nil, []string{"net", "uts"}},
		{"config keys", nil, []string{"lxc.namespace.share.net = shr1", "lxc.namespace.share.uts = shr1"}, []string{"net", "uts"}},
		{"pid", []string{"--share-net", pid, "--share-ipc", pid}, nil, []string{"net", "ipc"}},
		{"container path and ns file", []string{"--share-uts", filepath.Join(lp, "shr1"),
			"-s", "lxc.namespace.share.net=/proc/" + pid + "/ns/net"}, nil, []string{"uts", "net"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(cfg2, base, 0o640); err != nil {
				t.Fatal(err)
			}
			appendConfig(t, cfg2, tc.config...)
			startRunning(t, lp, "shr2", tc.args...)
			c2 := initPid(t, lp, "shr2")
			checkShared(t, c2, c1, tc.shared...)
			// A shared uts ns is not renamed: c1 keeps its lxc.uts.name.
			if h := hostnameOf(t, c2); strings.Contains(strings.Join(tc.shared, " "), "uts") && h != "shr1" {
				t.Errorf("hostname in the shared uts ns = %q, want shr1", h)
			} else if !strings.Contains(strings.Join(tc.shared, " "), "uts") && h != "shr2" {
				t.Errorf("hostname of shr2 = %q", h)
			}
			killStop(t, lp, "shr2")
			assertClean(t, lp, "shr2")
			if state(t, lp, "shr1") != "RUNNING" {
				t.Fatalf("stopping shr2 stopped shr1")
			}
		})
	}
	if err := os.WriteFile(cfg2, base, 0o640); err != nil {
		t.Fatal(err)
	}

	// lxc-execute in shr1's pid ns: its init is not PID 1 there; PID 1 is
	// shr1's init; the exit status still passes through.
	r := run(t, nil, "lxc-execute", "-P", lp, "-n", "shr2", "--share-pid", "shr1", "--",
		"/bin/sh", "-c", `readlink /proc/self/ns/pid; cat /proc/1/cmdline | tr '\0' ' '; echo; exit 3`)
	lines := strings.Split(r.stdout, "\n")
	if r.code != 3 || len(lines) < 2 {
		t.Fatalf("lxc-execute --share-pid: %s", r)
	}
	if want := nsLink(t, c1, "pid"); lines[0] != want {
		t.Errorf("pid ns inside = %q, want shr1's %q", lines[0], want)
	}
	if strings.TrimSpace(lines[1]) != "init" && !strings.Contains(lines[1], "/sbin/init") {
		t.Errorf("PID 1 in the shared pid ns = %q, want shr1's init", lines[1])
	}
	assertClean(t, lp, "shr2")

	killStop(t, lp, "shr1")
	assertClean(t, lp, "shr1")
}

// TestShareNotRunning: sharing with a stopped container fails with one
// line naming the key, and leaves nothing behind.
func TestShareNotRunning(t *testing.T) {
	needRoot(t)
	lp := lxcpath(t)
	busybox(t, lp, "shr3")
	busybox(t, lp, "shr4")
	expect(t, run(t, nil, "lxc-start", "-P", lp, "-n", "shr4", "--share-net", "shr3"), 1, "",
		"lxc-start: shr4: lxc.namespace.share.net = shr3: container \"shr3\" is not running\n")
	assertClean(t, lp, "shr4")
	expect(t, run(t, nil, "lxc-start", "-P", lp, "-n", "shr4", "-s", "lxc.namespace.share.ipc=nosuch"), 1, "",
		"lxc-start: shr4: lxc.namespace.share.ipc = nosuch: container \"nosuch\" is not running\n")
	assertClean(t, lp, "shr4")
	r := run(t, nil, "lxc-execute", "-P", lp, "-n", "shr4", "--share-pid", "shr3", "--", "true")
	if r.code != 1 || !strings.Contains(r.stderr, `lxc.namespace.share.pid = shr3: container "shr3" is not running`) {
		t.Errorf("lxc-execute --share-pid of a stopped container: %s", r)
	}
	assertClean(t, lp, "shr4")
	// A mount namespace cannot be shared: the rootfs setup would change it.
	r = run(t, nil, "lxc-start", "-P", lp, "-n", "shr4", "-s", "lxc.namespace.share.mnt=1")
	if r.code != 1 || strings.Count(r.stderr, "\n") != 1 || !strings.Contains(r.stderr, "lxc.namespace.share.mnt = 1: a container needs its own mount namespace") {
		t.Errorf("share.mnt: %s", r)
	}
	assertClean(t, lp, "shr4")
}
