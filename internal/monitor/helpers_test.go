package monitor

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golxc/golxc/internal/cmdsock"
)

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	if _, err := os.Stat("/usr/bin/busybox"); err != nil {
		t.Skip("needs a static /usr/bin/busybox")
	}
}

// ct is one throw-away container: a busybox rootfs in a temp lxcpath whose
// init writes facts into a host directory bind-mounted at /facts.
type ct struct {
	t       *testing.T
	name    string
	lxcpath string
	dir     string // LXCPATH/NAME
	rootfs  string
	facts   string // host side of /facts
	config  string
}

var applets = []string{"sh", "sleep", "echo", "cat", "hostname", "mkdir", "ls", "touch", "env", "true", "false", "kill", "grep", "readlink", "stat", "test", "reboot", "expr"}

const initScript = `#!/bin/sh
echo $$ > /facts/pid
hostname > /facts/hostname
env > /facts/env
trap 'echo halted > /facts/halt; exit 0' USR1
touch /facts/ready
while :; do sleep 1 & wait $!; done
`

func newCT(t *testing.T, name, extra string) *ct {
	t.Helper()
	needRoot(t)
	return newCTAt(t, t.TempDir(), name, extra)
}

func newCTAt(t *testing.T, lxcpath, name, extra string) *ct {
	t.Helper()
	c := &ct{t: t, name: name, lxcpath: lxcpath}
	t.Cleanup(func() {
		// Lock files and records of killed monitors live under /run; the
		// lxcpath is a t.TempDir(), so its parent is this test's own.
		os.RemoveAll(filepath.Join(runDir(), "lxc", "lock", filepath.Dir(lxcpath)))
		os.Remove(staleRecordPath(lxcpath, name))
	})
	c.dir = filepath.Join(c.lxcpath, name)
	c.rootfs = filepath.Join(c.dir, "rootfs")
	c.facts = filepath.Join(c.lxcpath, "facts")
	c.config = filepath.Join(c.dir, "config")
	for _, d := range []string{"bin", "sbin", "etc", "proc", "sys", "dev", "tmp", "facts", "root"} {
		must(t, os.MkdirAll(filepath.Join(c.rootfs, d), 0o755))
	}
	must(t, os.MkdirAll(c.facts, 0o755))
	b, err := os.ReadFile("/usr/bin/busybox")
	must(t, err)
	must(t, os.WriteFile(filepath.Join(c.rootfs, "bin/busybox"), b, 0o755))
	for _, a := range applets {
		must(t, os.Symlink("busybox", filepath.Join(c.rootfs, "bin", a)))
	}
	must(t, os.WriteFile(filepath.Join(c.rootfs, "sbin/init"), []byte(initScript), 0o755))
	cfg := fmt.Sprintf(`lxc.rootfs.path = dir:%s
lxc.uts.name = %s
lxc.mount.auto = proc:mixed sys:ro cgroup:mixed
lxc.autodev = 1
lxc.net.0.type = empty
lxc.signal.halt = SIGUSR1
lxc.init.cmd = /sbin/init
lxc.mount.entry = %s facts none bind 0 0
%s`, c.rootfs, name, c.facts, extra)
	must(t, os.WriteFile(c.config, []byte(cfg), 0o644))
	t.Cleanup(c.destroy)
	return c
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (c *ct) opts() Options {
	return Options{Name: c.name, LXCPath: c.lxcpath, ConfigFile: c.config, Daemonize: true, UID: -1, GID: -1}
}

func (c *ct) client() *cmdsock.Client {
	cl, err := cmdsock.Dial(c.lxcpath, c.name)
	if err != nil {
		c.t.Fatalf("dial %s: %v", c.name, err)
	}
	return cl
}

func (c *ct) state() cmdsock.State {
	cl, err := cmdsock.Dial(c.lxcpath, c.name)
	if err != nil {
		return cmdsock.STOPPED
	}
	defer cl.Close()
	st, err := cl.State()
	if err != nil {
		return cmdsock.STOPPED
	}
	return st
}

func (c *ct) initPID() int {
	cl := c.client()
	defer cl.Close()
	pid, err := cl.InitPID()
	must(c.t, err)
	return pid
}

// waitFor polls cond; the deadline only guards against a hung test.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (c *ct) waitStopped() {
	c.t.Helper()
	waitFor(c.t, c.name+" STOPPED", func() bool { return c.state() == cmdsock.STOPPED && !socketListed(c.lxcpath, c.name) })
	waitFor(c.t, "monitor exit", func() bool { return len(processesMentioningMonitor(c)) == 0 })
}

func (c *ct) fact(name string) string {
	c.t.Helper()
	if name != "ready" && name != "halt" {
		c.fact("ready") // the init script writes its facts before this
	}
	p := filepath.Join(c.facts, name)
	waitFor(c.t, "fact "+name, func() bool { _, err := os.Stat(p); return err == nil })
	b, _ := os.ReadFile(p)
	return strings.TrimSpace(string(b))
}

// destroy stops a container a test left running, then checks nothing leaks.
func (c *ct) destroy() {
	if c.state() != cmdsock.STOPPED {
		if cl, err := cmdsock.Dial(c.lxcpath, c.name); err == nil {
			_ = cl.Stop()
		}
		c.waitStopped()
	}
	waitFor(c.t, "monitor exit", func() bool { return len(processesMentioningMonitor(c)) == 0 })
	c.assertClean()
}

// assertClean: no cgroup, mount, socket or process of the container left.
func (c *ct) assertClean() {
	t := c.t
	t.Helper()
	if dirs := cgroupDirs(c.name); len(dirs) > 0 {
		t.Errorf("cgroups left behind: %v", dirs)
	}
	if ms := mountsUnder(c.lxcpath); len(ms) > 0 {
		t.Errorf("mounts left behind: %v", ms)
	}
	if socketListed(c.lxcpath, c.name) {
		t.Errorf("command socket still listed in /proc/net/unix")
	}
	if ps := processesMentioning(c.lxcpath); len(ps) > 0 {
		t.Errorf("processes left behind: %v", ps)
	}
}

// cgroupDirs finds lxc.payload.NAME / lxc.monitor.NAME in every hierarchy.
func cgroupDirs(name string) []string {
	var out []string
	roots, _ := filepath.Glob("/sys/fs/cgroup/*")
	roots = append(roots, "/sys/fs/cgroup")
	for _, r := range roots {
		_ = filepath.WalkDir(r, func(p string, d fs.DirEntry, err error) error {
			if err != nil || !d.IsDir() {
				return nil
			}
			if strings.Count(strings.TrimPrefix(p, r), "/") > 3 {
				return filepath.SkipDir
			}
			b := filepath.Base(p)
			if b == "lxc.payload."+name || b == "lxc.monitor."+name {
				out = append(out, p)
				return filepath.SkipDir
			}
			return nil
		})
	}
	return out
}

func mountsUnder(path string) []string {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.Contains(sc.Text(), path) {
			out = append(out, sc.Text())
		}
	}
	return out
}

func socketListed(lxcpath, name string) bool {
	b, _ := os.ReadFile("/proc/net/unix")
	return strings.Contains(string(b), "@"+lxcpath+"/"+name+"/command")
}

// processesMentioning lists processes whose cmdline or cwd/root refer to path.
func processesMentioning(path string) []string {
	var out []string
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == os.Getpid() {
			continue
		}
		cmd, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", pid))
		root, _ := os.Readlink(fmt.Sprintf("/proc/%d/root", pid))
		if strings.Contains(string(cmd), path) || strings.HasPrefix(root, path) {
			if st, _ := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid)); strings.Contains(string(st), ") Z ") {
				out = append(out, fmt.Sprintf("%d(zombie) %q", pid, cmd))
				continue
			}
			out = append(out, fmt.Sprintf("%d %q", pid, cmd))
		}
	}
	return out
}

func nsLink(pid int, ns string) string {
	l, _ := os.Readlink(fmt.Sprintf("/proc/%d/ns/%s", pid, ns))
	return l
}

func openFDs(t *testing.T) int {
	ents, err := os.ReadDir("/proc/self/fd")
	must(t, err)
	return len(ents)
}

func alive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || !errors.Is(err, syscall.ESRCH)
}

// setupGate is a hook script that holds a start in setup until the test
// opens the gate (a fifo the hook reads).
type setupGate struct{ hook, entered, fifo string }

// newSetupGate makes the gate in dir. A failed test still lets the hook
// go (before the container's own cleanup, registered first, runs).
func newSetupGate(t *testing.T, dir string) *setupGate {
	t.Helper()
	g := &setupGate{hook: filepath.Join(dir, "gated-hook.sh"), entered: filepath.Join(dir, "in-hook"), fifo: filepath.Join(dir, "gate")}
	must(t, syscall.Mkfifo(g.fifo, 0o600))
	must(t, os.WriteFile(g.hook, []byte("#!/bin/sh\ntouch "+g.entered+"\nread x < "+g.fifo+"\n"), 0o755))
	t.Cleanup(func() {
		if f, err := os.OpenFile(g.fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			f.WriteString("go\n")
			f.Close()
		}
	})
	return g
}

// waitEntered waits for the hook to run (the start is held from then).
func (g *setupGate) waitEntered(t *testing.T, what string) {
	t.Helper()
	waitFor(t, what, func() bool { _, err := os.Stat(g.entered); return err == nil })
}

// open lets the hook, and the start, go on.
func (g *setupGate) open(t *testing.T) {
	t.Helper()
	f, err := os.OpenFile(g.fifo, os.O_WRONLY, 0)
	must(t, err)
	f.WriteString("go\n")
	f.Close()
}
