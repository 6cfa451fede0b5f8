package rootfs

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/nsexec"
)

// The exec-plan builder needs no root: it only decides (and creates the
// rootfs mount point, a plain directory here).

func planSpec(t *testing.T, text string) *config.Spec {
	t.Helper()
	c := config.New()
	if err := c.LoadBytes("test.conf", []byte(text)); err != nil {
		t.Fatal(err)
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func buildPlan(t *testing.T, s *Setup) []string {
	t.Helper()
	p := &nsexec.Plan{}
	if err := s.Plan(p); err != nil {
		t.Fatal(err)
	}
	return p.Describe()
}

// indexOf finds the first step starting with prefix at or after from.
func indexOf(steps []string, from int, prefix string) int {
	for i := from; i < len(steps); i++ {
		if strings.HasPrefix(steps[i], prefix) {
			return i
		}
	}
	return -1
}

// TestPlanBusyboxOrder: LXC's busybox template config becomes Prepare's
// steps in Prepare's order: slave /, rootfs bind, autodev, proc/sys,
// entries (bind ro with its remount flag), cgroup, nodes, console, devpts
// with the ttys, /dev links, pivot.
func TestPlanBusyboxOrder(t *testing.T) {
	rootfs := t.TempDir()
	mnt := filepath.Join(t.TempDir(), "mnt")
	spec := planSpec(t, `lxc.rootfs.path = dir:`+rootfs+`
lxc.uts.name = "b1"
lxc.autodev = 1
lxc.tty.max = 5
lxc.pty.max = 1
lxc.cap.drop = sys_module mac_admin mac_override sys_time
lxc.mount.auto = proc:mixed sys:ro
lxc.mount.entry = shm dev/shm tmpfs defaults,create=dir 0 0
lxc.mount.entry = /lib lib none ro,bind 0 0
lxc.mount.entry = /sys/kernel/security sys/kernel/security none ro,bind,optional 0 0
lxc.mount.entry = /etc /elsewhere none bind 0 0
`)
	s := &Setup{Name: "b1", Spec: spec, RootfsMount: mnt, ConsolePath: "/dev/pts/77"}
	steps := buildPlan(t, s)
	want := []string{
		`mount-host "" "/"`,
		`mount-host "` + rootfs + `" "` + mnt + `"`,
		`openroot "` + mnt + `"`,
		`mount-in "none" "dev" "tmpfs"`,
		`mkdir-in "dev/pts"`,
		`umount-in "proc"`, `mkdir-in "proc"`, `umount-in "sys"`, `mkdir-in "sys"`,
		`mount-in "proc" "proc" "proc"`,
		`mount-in "sysfs" "sys" "sysfs" 0x1 `,
		`entry "shm" "dev/shm" "tmpfs" 0x0 "" remount=false`,
		`entry "/lib" "lib" "none" 0x1001 "" remount=true`,
		`entry "/sys/kernel/security" "sys/kernel/security"`,
		`autodev 6 nodes`,
		`chmod-host "/dev/pts/77" 0620`,
		`mount-in "/dev/pts/77" "dev/console" "" 0x1000`,
		`devpts max=6 ttys=5 dir="" bind=true keep=true`,
		`devlinks`,
		`pivot "` + mnt + `"`,
	}
	at := 0
	for _, w := range want {
		i := indexOf(steps, at, w)
		if i < 0 {
			t.Fatalf("no step %q after step %d in:\n%s", w, at, strings.Join(steps, "\n"))
		}
		at = i + 1
	}
	if at != len(steps) {
		t.Errorf("pivot is not the last step:\n%s", strings.Join(steps, "\n"))
	}
	// proc:mixed without net_admin dropped keeps the /proc/sys/net dance.
	if indexOf(steps, 0, `mount-in "proc/sys/net" "proc/tty"`) < 0 {
		t.Errorf("proc:mixed lacks /proc/sys/net:\n%s", strings.Join(steps, "\n"))
	}
	// An absolute target outside the rootfs is skipped, as LXC does.
	if indexOf(steps, 0, `entry "/etc"`) >= 0 {
		t.Errorf("entry outside the rootfs planned:\n%s", strings.Join(steps, "\n"))
	}
	if st, err := os.Stat(mnt); err != nil || !st.IsDir() {
		t.Errorf("the rootfs mount point was not created: %v", err)
	}
}

// TestPlanNeedsGoStage: hooks inside the container and non-directory
// storage keep the Go stage, saying why.
func TestPlanNeedsGoStage(t *testing.T) {
	for _, c := range []struct{ conf, why string }{
		{"lxc.hook.mount = /bin/true", "lxc.hook.mount"},
		{"lxc.hook.autodev = /bin/true", "lxc.hook.autodev"},
		{"lxc.hook.pre-mount = /bin/true", "lxc.hook.pre-mount"},
		{"lxc.rootfs.path = zfs:pool/x", "zfs"},
	} {
		s := &Setup{Name: "n", Spec: planSpec(t, c.conf)}
		why := s.Plannable()
		if !strings.Contains(why, c.why) {
			t.Errorf("%s: Plannable() = %q, want it to name %q", c.conf, why, c.why)
		}
		if err := s.Plan(&nsexec.Plan{}); !errors.Is(err, ErrNotPlannable) {
			t.Errorf("%s: Plan: %v, want ErrNotPlannable", c.conf, err)
		}
	}
	if why := (&Setup{Name: "n", Spec: planSpec(t, "lxc.hook.pre-start = /bin/true\n")}).Plannable(); why != "" {
		t.Errorf("a host hook needs no Go stage, got %q", why)
	}
}

// TestPlanHooksInPlace: with PlanHook, in-container hooks are planned
// where Prepare runs them: pre-mount before the rootfs, mount after the
// cgroup mounts, autodev before the nodes.
func TestPlanHooksInPlace(t *testing.T) {
	spec := planSpec(t, "lxc.rootfs.path = dir:"+t.TempDir()+`
lxc.autodev = 1
lxc.mount.auto = cgroup:mixed
lxc.hook.pre-mount = /bin/pre
lxc.hook.mount = /bin/mount1
lxc.hook.mount = /bin/mount2
lxc.hook.autodev = /bin/autodev
`)
	s := &Setup{Name: "h", Spec: spec, RootfsMount: filepath.Join(t.TempDir(), "m"),
		PlanHook: func(p *nsexec.Plan, kind string) {
			for _, v := range spec.Hooks[kind] {
				p.Hook(kind, v, "", []string{"/bin/sh", "-c", "exec " + v}, nil, "")
			}
		}}
	if why := s.Plannable(); why != "" {
		t.Fatalf("Plannable() = %q with PlanHook set", why)
	}
	steps := buildPlan(t, s)
	at := 0
	for _, w := range []string{`hook pre-mount "/bin/pre"`, `mount-host "/`, `mount-in "cgroup_root"`,
		`hook mount "/bin/mount1"`, `hook mount "/bin/mount2"`, `hook autodev "/bin/autodev"`, `autodev `} {
		i := indexOf(steps, at, w)
		if i < 0 {
			t.Fatalf("no step %q after step %d in:\n%s", w, at, strings.Join(steps, "\n"))
		}
		at = i + 1
	}
}

// TestPlanTTYDirAndNoRootfs: lxc.tty.dir binds the console through the
// directory; without a rootfs there is no pivot and no tty binds.
func TestPlanTTYDirAndNoRootfs(t *testing.T) {
	rootfs := t.TempDir()
	spec := planSpec(t, "lxc.rootfs.path = dir:"+rootfs+"\nlxc.tty.dir = lxc\nlxc.tty.max = 2\n")
	steps := buildPlan(t, &Setup{Name: "d", Spec: spec, RootfsMount: filepath.Join(t.TempDir(), "m"), ConsolePath: "/dev/pts/9"})
	for _, w := range []string{`mount-in "/dev/pts/9" "dev/lxc/console"`, `mount-in "dev/lxc/console" "dev/console"`,
		`devpts max=2 ttys=2 dir="lxc" bind=true keep=false`} {
		if indexOf(steps, 0, w) < 0 {
			t.Errorf("no step %q in:\n%s", w, strings.Join(steps, "\n"))
		}
	}
	steps = buildPlan(t, &Setup{Name: "d", Spec: planSpec(t, "lxc.tty.max = 1\n")})
	if indexOf(steps, 0, "pivot") >= 0 || indexOf(steps, 0, `openroot "/"`) < 0 ||
		indexOf(steps, 0, `devpts max=1 ttys=1 dir="" bind=false`) < 0 {
		t.Errorf("without a rootfs:\n%s", strings.Join(steps, "\n"))
	}
}

// TestPlanBadEntryFailsInPlace: an entry LXC accepts when loading but
// fails at start becomes a failing step at its place, after the entries
// before it.
func TestPlanBadEntryFailsInPlace(t *testing.T) {
	spec := planSpec(t, "lxc.mount.entry = shm dev/shm tmpfs defaults,create=dir 0 0\nlxc.mount.entry = a\n")
	if len(spec.MountEntries) != 2 || spec.MountEntries[1].Err == nil {
		t.Fatalf("want the second entry to carry its error: %+v", spec.MountEntries)
	}
	steps := buildPlan(t, &Setup{Name: "e", Spec: spec})
	i := indexOf(steps, 0, `entry "shm"`)
	if i < 0 || indexOf(steps, i, "fail ") != i+1 || steps[i+1] != "fail "+strconv.Quote(spec.MountEntries[1].Err.Error()) {
		t.Errorf("no fail step right after the first entry:\n%s", strings.Join(steps, "\n"))
	}
}
