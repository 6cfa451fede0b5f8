package monitor

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
)

func specOf(t *testing.T, lines ...string) *config.Spec {
	t.Helper()
	c := config.New()
	for _, l := range lines {
		k, v, _ := strings.Cut(l, "=")
		if err := c.Set(strings.TrimSpace(k), strings.TrimSpace(v)); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCloneFlags(t *testing.T) {
	const (
		mnt, pid, uts, ipc = unix.CLONE_NEWNS, unix.CLONE_NEWPID, unix.CLONE_NEWUTS, unix.CLONE_NEWIPC
		net, user, cg, tm  = unix.CLONE_NEWNET, unix.CLONE_NEWUSER, unix.CLONE_NEWCGROUP, unix.CLONE_NEWTIME
	)
	saved := kernelHasNS
	kernelHasNS = func(string) bool { return true }
	defer func() { kernelHasNS = saved }()
	idmap := []string{"lxc.idmap = u 0 100000 65536", "lxc.idmap = g 0 100000 65536"}
	for _, tc := range []struct {
		name  string
		lines []string
		want  uintptr
		err   string
	}{
		{"default", nil, mnt | pid | uts | ipc | net | cg, ""},
		{"default with idmap", idmap, mnt | pid | uts | ipc | net | cg | user, ""},
		{"default with time offset", []string{"lxc.time.offset.boot = 5s"}, mnt | pid | uts | ipc | net | cg | tm, ""},
		{"all nets none", []string{"lxc.net.0.type = none"}, mnt | pid | uts | ipc | cg, ""},
		{"one net none of two", []string{"lxc.net.0.type = none", "lxc.net.1.type = empty"}, mnt | pid | uts | ipc | net | cg, ""},
		{"clone exactly", []string{"lxc.namespace.clone = mnt uts"}, mnt | uts, ""},
		{"clone adds mnt", []string{"lxc.namespace.clone = pid"}, mnt | pid, ""},
		{"clone net with none net", []string{"lxc.namespace.clone = mnt net", "lxc.net.0.type = none"}, mnt | net, ""},
		{"keep", append([]string{"lxc.namespace.keep = net ipc"}, idmap...), mnt | pid | uts | user | cg | tm, ""},
		{"keep user", []string{"lxc.namespace.keep = user net"}, mnt | pid | uts | ipc | cg | tm, ""},
		{"keep without idmap", []string{"lxc.namespace.keep = net"}, 0, "lxc.namespace.keep: a new user namespace needs lxc.idmap"},
		{"clone user without idmap", []string{"lxc.namespace.clone = mnt user"}, 0, "lxc.namespace.clone: a new user namespace needs lxc.idmap"},
		{"keep mnt", []string{"lxc.namespace.keep = user mnt"}, 0, "lxc.namespace.keep: a container needs its own mount namespace"},
		{"keep time with offsets", []string{"lxc.namespace.keep = user time", "lxc.time.offset.boot = 5s"}, 0, "time is kept but lxc.time.offset"},
		{"share", []string{"lxc.namespace.share.net = c1", "lxc.namespace.share.uts = 42"}, mnt | pid | ipc | cg, ""},
		{"share user with idmap", append([]string{"lxc.namespace.share.user = c1"}, idmap...), mnt | pid | uts | ipc | net | cg, ""},
		{"share with keep", []string{"lxc.namespace.keep = user", "lxc.namespace.share.pid = c1"}, mnt | uts | ipc | net | cg | tm, ""},
		{"share mnt", []string{"lxc.namespace.share.mnt = c1"}, 0, "lxc.namespace.share.mnt = c1: a container needs its own mount namespace"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := cloneFlags(specOf(t, tc.lines...))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("err = %v, want one line containing %q", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("cloneFlags = %#x, %v; want %#x", got, err, tc.want)
			}
		})
	}
}

func TestOpenShared(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	files, err := openShared(t.TempDir(), map[string]string{"net": self, "uts": "/proc/" + self + "/ns/uts"})
	if err != nil {
		t.Fatal(err)
	}
	defer closeFiles(files)
	for ns, f := range files {
		var a, b unix.Stat_t
		if unix.Fstat(int(f.Fd()), &a) != nil || unix.Stat("/proc/self/ns/"+ns, &b) != nil || a.Ino != b.Ino {
			t.Errorf("%s: opened a different namespace", ns)
		}
	}
	if sh := sharedNS(files, map[string]string{"net": self, "uts": self}); len(sh) != 2 || sh[0].Flag != unix.CLONE_NEWUTS || sh[1].Flag != unix.CLONE_NEWNET {
		t.Errorf("sharedNS = %+v, want uts then net (LXC order)", sh)
	}

	lp := t.TempDir()
	if err := os.Mkdir(lp+"/stopped", 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ ns, value, want string }{
		{"net", "web", `lxc.namespace.share.net = web: container "web" is not running`},
		{"net", lp + "/stopped", `lxc.namespace.share.net = ` + lp + `/stopped: container "stopped" is not running`},
		{"ipc", "/proc/" + self + "/ns/net", "is not a ipc namespace"},
		{"ipc", "/nonexistent/ns", "no such file or directory"},
		{"pid", "0", "not a valid pid nor a container name"},
		{"uts", strconv.Itoa(deadPid(t)), "no process"},
	} {
		_, err := openShared(lp, map[string]string{tc.ns: tc.value})
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("share.%s = %s: err %v, want one line containing %q", tc.ns, tc.value, err, tc.want)
		}
	}
}

// deadPid returns the pid of a process that has exited and been reaped.
func deadPid(t *testing.T) int {
	t.Helper()
	p, err := os.StartProcess("/bin/true", []string{"true"}, &os.ProcAttr{})
	if err != nil {
		t.Skip("no /bin/true")
	}
	p.Wait()
	return p.Pid
}
