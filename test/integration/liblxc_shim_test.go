package integration

import (
	"bufio"
	"debug/elf"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/golxc/golxc/internal/lxclib"
)

// golxc's liblxc.so.1 is a shim (cmd/liblxc/shim) that the dynamic
// linker may prefer to Debian's liblxc1 system-wide; these tests run
// LXC's own programs with it in front (LD_LIBRARY_PATH, and ld.so
// --library-path as a second loader path), as make install and the
// package make it the system's.

var (
	libShimOnce sync.Once
	libShimDir  string
	libShimOut  []byte
	libShimErr  error
)

// shimLibs builds liblxc.so.1 and libgolxc-capi.so as make liblxc does
// (scripts/build-liblxc.sh) into a directory of the test binaries.
func shimLibs(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("gcc"); err != nil {
		t.Skip("gcc not installed: the shim is C")
	}
	libShimOnce.Do(func() {
		libShimDir = filepath.Join(binDir, "lib")
		script, _ := filepath.Abs("../../scripts/build-liblxc.sh")
		libShimOut, libShimErr = exec.Command(script, libShimDir).CombinedOutput()
	})
	if libShimErr != nil {
		t.Fatalf("build-liblxc.sh: %v\n%s", libShimErr, libShimOut)
	}
	return libShimDir
}

// shimLoader is one way of putting a library directory before the
// system's: argv runs prog with it, env goes with it.
type shimLoader struct {
	name string
	argv func(prog string, args ...string) []string
	env  []string
}

func shimLoaders(t *testing.T, dir string) []shimLoader {
	t.Helper()
	f, err := elf.Open("/usr/bin/python3")
	if err != nil {
		f, err = elf.Open("/bin/sh")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ldso := ""
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			b, _ := io.ReadAll(p.Open())
			ldso = strings.TrimRight(string(b), "\x00")
		}
	}
	if ldso == "" {
		t.Fatal("no PT_INTERP: cannot tell the dynamic linker")
	}
	return []shimLoader{
		{"LD_LIBRARY_PATH", func(prog string, args ...string) []string { return append([]string{prog}, args...) },
			[]string{"LD_LIBRARY_PATH=" + dir}},
		{"ld.so --library-path", func(prog string, args ...string) []string {
			return append([]string{ldso, "--library-path", dir, prog}, args...)
		}, nil},
	}
}

// runLoaded runs prog under the loader with LD_DEBUG=files and checks
// the dynamic linker loaded the shim from dir and nothing of golxc's Go
// library (the tool calls nothing in liblxc.so.1).
func runLoaded(t *testing.T, l shimLoader, dir, prog string, args ...string) result {
	t.Helper()
	argv := l.argv(prog, args...)
	r := runPath(t, append(l.env, "LD_DEBUG=files"), argv[0], argv[1:]...)
	if !strings.Contains(r.stderr, filepath.Join(dir, "liblxc.so.1")) {
		t.Errorf("%s did not load %s/liblxc.so.1:\n%s", filepath.Base(prog), dir, r.stderr)
	}
	if strings.Contains(r.stderr, "libgolxc-capi.so") {
		t.Errorf("%s loaded golxc's Go library:\n%s", filepath.Base(prog), r.stderr)
	}
	// LD_DEBUG's lines are not the tool's
	var keep []string
	for _, line := range strings.SplitAfter(r.stderr, "\n") {
		if f := strings.Fields(line); len(f) == 0 || !strings.HasSuffix(f[0], ":") || !isDigits(strings.TrimSuffix(f[0], ":")) {
			keep = append(keep, line)
		}
	}
	r.stderr = strings.Join(keep, "")
	return r
}

func isDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// noGoRuntime: process pid maps the shim from dir, not golxc's Go
// library, and has one thread (the Go runtime starts several at load).
func noGoRuntime(t *testing.T, what string, pid int, dir string) {
	t.Helper()
	maps, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "maps"))
	if err != nil {
		t.Fatalf("%s (pid %d): %v", what, pid, err)
	}
	if !strings.Contains(string(maps), filepath.Join(dir, "liblxc.so.1")+"\n") {
		t.Errorf("%s (pid %d) does not map the shim %s/liblxc.so.1", what, pid, dir)
	}
	if strings.Contains(string(maps), "libgolxc-capi.so") {
		t.Errorf("%s (pid %d) maps golxc's Go library", what, pid)
	}
	status, err := os.ReadFile(filepath.Join("/proc", strconv.Itoa(pid), "status"))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(status), "\n") {
		if strings.HasPrefix(l, "Threads:") && l != "Threads:\t1" {
			t.Errorf("%s (pid %d) has more than one thread: %s", what, pid, l)
		}
	}
}

// lxcMonitorPid finds LXC's monitor of lp/name ("[lxc monitor] LP NAME").
func lxcMonitorPid(t *testing.T, lp, name string) int {
	t.Helper()
	want := "[lxc monitor] " + lp + " " + name
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		if !isDigits(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err == nil && strings.TrimRight(strings.ReplaceAll(string(b), "\x00", " "), " ") == want {
			pid, _ := strconv.Atoi(e.Name())
			return pid
		}
	}
	t.Fatalf("no process %q", want)
	return 0
}

// TestShimInLXCTools: with golxc's liblxc.so.1 in front of Debian's
// liblxc1, Debian's own lxc-create, lxc-start -d, lxc-info, lxc-attach,
// lxc-stop and lxc-destroy (which need liblxc.so.1 but call nothing in
// it: LXC's code is linked into them) still work on an LXC busybox
// container, load the shim and never golxc's Go library: the monitor
// lxc-start leaves and a running lxc-attach map the shim and have one
// thread (no Go runtime, which would break their user namespace and
// signal handling).
func TestShimInLXCTools(t *testing.T) {
	needRoot(t)
	for _, tool := range []string{"lxc-create", "lxc-start", "lxc-info", "lxc-attach", "lxc-stop", "lxc-destroy", "lxc-wait"} {
		lxcTool(t, tool)
	}
	if _, err := os.Stat("/usr/share/lxc/templates/lxc-busybox"); err != nil {
		t.Skip("LXC's busybox template is not installed")
	}
	dir := shimLibs(t)
	for _, l := range shimLoaders(t, dir) {
		t.Run(l.name, func(t *testing.T) {
			lp := cleanLxcpath(t)
			cleanLXCRunFiles(t, lp)
			name := "shim-lxc"
			conf := filepath.Join(t.TempDir(), "lxc.conf")
			if err := os.WriteFile(conf, []byte("lxc.net.0.type = empty\nlxc.apparmor.profile = unconfined\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() {
				runPath(t, nil, "/usr/bin/lxc-stop", "-P", lp, "-n", name, "-k")
				runPath(t, nil, "/usr/bin/lxc-destroy", "-P", lp, "-n", name)
			})
			lxcMonitorCgroupsIT(t, name)
			if r := runLoaded(t, l, dir, "/usr/bin/lxc-create", "-P", lp, "-n", name, "-t", "busybox", "-f", conf); r.code != 0 {
				t.Fatalf("lxc-create: %s", r)
			}
			if r := runLoaded(t, l, dir, "/usr/bin/lxc-start", "-d", "-P", lp, "-n", name); r.code != 0 {
				t.Fatalf("lxc-start -d: %s", r)
			}
			if r := runLoaded(t, l, dir, "/usr/bin/lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "10"); r.code != 0 {
				t.Fatalf("lxc-wait: %s", r)
			}
			noGoRuntime(t, "LXC's monitor", lxcMonitorPid(t, lp, name), dir)
			if r := runLoaded(t, l, dir, "/usr/bin/lxc-info", "-P", lp, "-n", name, "-s", "-H"); r.code != 0 || r.stdout != "RUNNING\n" {
				t.Errorf("lxc-info -s: %s", r)
			}

			// lxc-attach: looked at while its command waits for a line
			argv := l.argv("/usr/bin/lxc-attach", "-P", lp, "-n", name, "--", "/bin/sh", "-c", "echo ready; read x; echo got $x")
			cmd := exec.Command(argv[0], argv[1:]...)
			cmd.Env = append(os.Environ(), l.env...)
			stdin, _ := cmd.StdinPipe()
			stdout, _ := cmd.StdoutPipe()
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			rd := bufio.NewReader(stdout)
			if line, err := rd.ReadString('\n'); err != nil || line != "ready\n" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("lxc-attach: %q %v", line, err)
			}
			noGoRuntime(t, "lxc-attach", cmd.Process.Pid, dir)
			io.WriteString(stdin, "x\n")
			rest, _ := io.ReadAll(rd)
			if err := cmd.Wait(); err != nil || string(rest) != "got x\n" {
				t.Errorf("lxc-attach: %v %q", err, rest)
			}

			if r := runLoaded(t, l, dir, "/usr/bin/lxc-stop", "-P", lp, "-n", name, "-k"); r.code != 0 {
				t.Errorf("lxc-stop: %s", r)
			}
			if r := runLoaded(t, l, dir, "/usr/bin/lxc-info", "-P", lp, "-n", name, "-s", "-H"); r.code != 0 || r.stdout != "STOPPED\n" {
				t.Errorf("lxc-info -s after lxc-stop: %s", r)
			}
			if r := runLoaded(t, l, dir, "/usr/bin/lxc-destroy", "-P", lp, "-n", name); r.code != 0 {
				t.Errorf("lxc-destroy: %s", r)
			}
		})
	}
}

// lxcMonitorCgroupsIT removes the (empty) lxc.monitor.NAME cgroups LXC's
// monitor leaves on a hybrid host.
func lxcMonitorCgroupsIT(t *testing.T, name string) {
	t.Cleanup(func() {
		dirs, _ := filepath.Glob("/sys/fs/cgroup/*/lxc.monitor." + name + "*")
		more, _ := filepath.Glob("/sys/fs/cgroup/lxc.monitor." + name + "*")
		for _, d := range append(dirs, more...) {
			os.Remove(d)
		}
	})
}

const whichLibrary = `import lxc
try:
    print(lxc.get_global_config_item("golxc.library"))
except KeyError:
    print("LXC's")
`

// TestShimWhichLibrary: Debian's python3-lxc with the shim in front gets
// golxc's library, and golxc.library names the shim the dynamic linker
// chose; pinned to LXC's directory (as the tests that use LXC as their
// oracle are) it gets LXC's.
func TestShimWhichLibrary(t *testing.T) {
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import lxc").Run(); err != nil {
		t.Skip("python3-lxc not installed")
	}
	dir := shimLibs(t)
	for _, l := range shimLoaders(t, dir) {
		argv := l.argv(python, "-c", whichLibrary)
		if r := runPath(t, l.env, argv[0], argv[1:]...); r.code != 0 || r.stdout != "golxc "+filepath.Join(dir, "liblxc.so.1")+"\n" || r.stderr != "" {
			t.Errorf("%s: %s", l.name, r)
		}
	}
	lxcDir, err := lxclib.Dir()
	if err != nil {
		t.Skipf("LXC's library: %v", err)
	}
	cmd := exec.Command(python, "-c", whichLibrary)
	cmd.Env = lxclib.Env(append(os.Environ(), "LD_LIBRARY_PATH="+dir), lxcDir)
	if out, err := cmd.CombinedOutput(); err != nil || string(out) != "LXC's\n" {
		t.Errorf("pinned to LXC's library: %v %q", err, out)
	}
}

const shimMissingC = `#include <stdbool.h>
#include <stdio.h>
struct lxc_container;
struct lxc_container *lxc_container_new(const char *name, const char *configpath);
const char *lxc_get_version(void);
const char *lxc_get_global_config_item(const char *key);
bool lxc_config_item_is_supported(const char *key);
int list_all_containers(const char *lxcpath, char ***names, struct lxc_container ***cret);
int lxc_container_put(struct lxc_container *c);
void lxc_log_close(void);
int main(void)
{
	printf("new %s\n", lxc_container_new("x", NULL) ? "container" : "NULL");
	printf("version %s\n", lxc_get_version() ? "string" : "NULL");
	printf("item %s\n", lxc_get_global_config_item("lxc.lxcpath") ? "string" : "NULL");
	printf("supported %d\n", lxc_config_item_is_supported("lxc.arch"));
	printf("list %d\n", list_all_containers(NULL, NULL, NULL));
	printf("put %d\n", lxc_container_put(NULL));
	lxc_log_close();
	return 0;
}
`

// TestShimMissingGoLibrary: the shim without golxc's Go library beside
// it says so in one line on stderr, once, naming the file and what to
// do, and every call fails as liblxc's does.
func TestShimMissingGoLibrary(t *testing.T) {
	dir := shimLibs(t)
	alone := t.TempDir()
	b, err := os.ReadFile(filepath.Join(dir, "liblxc.so.1"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(alone, "liblxc.so.1"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(alone, "libgolxc-capi.so")
	oneLine := func(what, stderr string) {
		t.Helper()
		lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
		if len(lines) < 1 || !strings.HasPrefix(lines[0], "golxc: ") || !strings.Contains(lines[0], "cannot load golxc's library "+missing+" ") ||
			!strings.Contains(lines[0], "make install") || !strings.Contains(lines[0], "LD_LIBRARY_PATH=") {
			t.Errorf("%s: stderr does not start with the shim's line:\n%s", what, stderr)
		}
		if n := strings.Count(stderr, "golxc: "); n != 1 {
			t.Errorf("%s: the shim's line %d times:\n%s", what, n, stderr)
		}
	}

	src := filepath.Join(t.TempDir(), "missing.c")
	if err := os.WriteFile(src, []byte(shimMissingC), 0o644); err != nil {
		t.Fatal(err)
	}
	prog := filepath.Join(t.TempDir(), "missing")
	if out, err := exec.Command("gcc", "-Wall", "-o", prog, src, "-L"+alone, "-l:liblxc.so.1").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	r := runPath(t, []string{"LD_LIBRARY_PATH=" + alone}, prog)
	if want := "new NULL\nversion NULL\nitem NULL\nsupported 0\nlist -1\nput -1\n"; r.code != 0 || r.stdout != want {
		t.Errorf("C program: %s\nwant stdout:\n%s", r, want)
	}
	oneLine("C program", r.stderr)

	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import lxc").Run(); err == nil {
		// python3-lxc's import reads lxc.lxcpath: NULL is its KeyError
		r := runPath(t, []string{"LD_LIBRARY_PATH=" + alone}, python, "-c", whichLibrary)
		if r.code == 0 || !strings.Contains(r.stderr, "KeyError") {
			t.Errorf("python3-lxc: %s", r)
		}
		oneLine("python3-lxc", r.stderr)
	}
}

// installedCheck runs in a private mount namespace (unshare -m) where
// PREFIX/lib is a copy of make install's library files and
// /etc/ld.so.cache is one ldconfig built with them: the system as after
// make install, the host's untouched.
const installedCheck = `set -eu
lib=$1 cache=$2 py=$3
mount --bind "$lib" /usr/local/lib
# ldconfig writes its aux-cache whatever -C says: a private one
mount -t tmpfs golxc-ldconfig /var/cache/ldconfig
ldconfig -X -C "$cache"
mount --bind "$cache" /etc/ld.so.cache
echo "ldconfig: $(ldconfig -p | grep -m1 'liblxc\.so\.1 ' | sed 's/.*=> //')"
if [ -n "$py" ]; then "$py" -c 'import lxc; print("python3-lxc:", lxc.get_global_config_item("golxc.library"))'; fi
echo "lxc-info: $(/usr/bin/lxc-info --version)"
`

// TestShimInstalledPreferred: with make install's files in /usr/local/lib
// and ldconfig run (in a private mount namespace with its own ld.so.cache),
// the dynamic linker's cache lists golxc's liblxc.so.1 first (Debian's
// libc.conf puts /usr/local/lib before the multiarch directory),
// python3-lxc gets golxc's library without LD_LIBRARY_PATH, and Debian's
// lxc-info, which needs liblxc.so.1, runs.
func TestShimInstalledPreferred(t *testing.T) {
	needRoot(t)
	lxcTool(t, "lxc-info")
	for _, tool := range []string{"unshare", "ldconfig"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed", tool)
		}
	}
	dir := shimLibs(t)
	lib := t.TempDir()
	for _, f := range []string{"liblxc.so.1", "libgolxc-capi.so"} {
		b, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(lib, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("liblxc.so.1", filepath.Join(lib, "liblxc.so")); err != nil {
		t.Fatal(err)
	}
	// what the host has in /usr/local/lib stays visible (but golxc's old layout)
	entries, _ := os.ReadDir("/usr/local/lib")
	for _, e := range entries {
		if _, err := os.Lstat(filepath.Join(lib, e.Name())); err == nil || e.Name() == "golxc" {
			continue
		}
		os.Symlink(filepath.Join("/usr/local/lib", e.Name()), filepath.Join(lib, e.Name()))
	}
	py := "/usr/bin/python3"
	if err := exec.Command(py, "-c", "import lxc").Run(); err != nil {
		py = ""
	}
	r := runPath(t, nil, "unshare", "-m", "--propagation", "private", "sh", "-c", installedCheck, "sh",
		lib, filepath.Join(t.TempDir(), "ld.so.cache"), py)
	want := "ldconfig: /usr/local/lib/liblxc.so.1\n"
	if py != "" {
		want += "python3-lxc: golxc /usr/local/lib/liblxc.so.1\n"
	}
	want += "lxc-info: 5.0.2\n"
	if r.code != 0 || r.stdout != want {
		t.Errorf("after make install (simulated): %s\nwant stdout:\n%s", r, want)
	}
}
