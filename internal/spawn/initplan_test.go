package spawn

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/nsexec"
)

// The init stage's ops of the C executor (nsexec/initplan.c), run in a
// private mount namespace over a scratch "rootfs": the same path rules as
// internal/rootfs's Go resolvers (safepath_test.go), checked by where the
// mounts land.

// runInitPlan runs plan in a new mount namespace with pipes as its
// streams (the plan installs them with Stdio).
func runInitPlan(t *testing.T, plan *nsexec.Plan) planResult {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root (mount namespaces, mounts)")
	}
	return runPlanWith(t, Request{Mode: Create, CloneFlags: unix.CLONE_NEWNS, Stage: "test-initplan", ExecPlan: true,
		CgroupFD: -1, Env: []string{}}, plan.Bytes(), "")
}

// mountsUnder lists the mount points below dir in the plan's namespace,
// as the plan's last command printed them (mountinfo's fifth field).
func mountsUnder(out, dir string) []string {
	var got []string
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			got = append(got, strings.TrimPrefix(f[4], dir+"/"))
		}
	}
	return got
}

func scratchRoot(t *testing.T) (root, outside string) {
	root, outside = t.TempDir(), t.TempDir()
	for _, d := range []string{"a/b", "etc"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, target := range map[string]string{
		"inside":     "a/b",
		"a/up":       "../etc",
		"abs":        outside,
		"a/dotdot":   "../../outside",
		"a/b/loop":   "loop",
		"a/b/toetc":  "../../etc",
		"a/deepdots": "b/../../..",
		"evil":       outside,
	} {
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	return root, outside
}

func mountPlan(root string, m nsexec.In) *nsexec.Plan {
	p := &nsexec.Plan{}
	p.Ident("golxc-test", "ipl", false, -1, 0)
	p.Stdio()
	p.MountHost("slave", "", "", "/", "", unix.MS_SLAVE|unix.MS_REC, "")
	p.OpenRoot(root, "open root")
	p.MountIn(m)
	p.Exec([]string{"cat", "/proc/self/mountinfo"}, []string{"PATH=" + testPath}, 0, testPath)
	return p
}

// TestInitPlanPathsStayInRoot: targets through symlinks that stay inside
// are followed, by openat2 and by the walk (create=dir); absolute links,
// ".." above the root and loops fail, naming the culprit, and mount nothing.
func TestInitPlanPathsStayInRoot(t *testing.T) {
	root, outside := scratchRoot(t)
	root, _ = filepath.EvalSymlinks(root)
	cases := []struct {
		rel, want, errText string
	}{
		{"a/b", "a/b", ""},
		{"inside", "a/b", ""},
		{"a/up", "etc", ""},
		{"a/b/toetc", "etc", ""},
		{"abs", "", `target "abs" is a symlink leading outside the rootfs`},
		{"abs/x", "", `target "abs/x": "abs" is a symlink leading outside the rootfs`},
		{"a/dotdot", "", `"a/dotdot" is a symlink leading outside the rootfs`},
		{"a/deepdots/x", "", `"a/deepdots" is a symlink leading outside the rootfs`},
		{"../x", "", `target "../x" leads outside the rootfs`},
		{"a/b/loop", "", "too many levels of symbolic links"},
	}
	for _, create := range []int{nsexec.CreateNone, nsexec.CreateDir} {
		for _, c := range cases {
			r := runInitPlan(t, mountPlan(root, nsexec.In{DstErr: "target", MountErr: "mount", Src: "tmpfs",
				Dst: c.rel, Create: create, FSType: "tmpfs"}))
			got := mountsUnder(r.stdout, root)
			if c.want != "" {
				if r.code != 0 || len(got) != 1 || got[0] != c.want {
					t.Errorf("create=%d %q: mounted on %q, want %q (exit %d, stderr %q)", create, c.rel, got, c.want, r.code, r.stderr)
				}
				continue
			}
			if r.code == 0 || len(got) != 0 || !strings.Contains(r.stderr, c.errText) || !strings.HasPrefix(r.stderr, "golxc-test: ipl: target: ") {
				t.Errorf("create=%d %q: exit %d, mounts %q, stderr %q; want one line with %q", create, c.rel, r.code, got, r.stderr, c.errText)
			}
		}
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("created %v outside the root", ents)
	}
}

// TestInitPlanCreatesOnlyInside: create=file makes the file (parents as
// directories) inside; nothing is created through an escaping link; a
// no-symlink target refuses even a link that stays inside.
func TestInitPlanCreatesOnlyInside(t *testing.T) {
	root, outside := scratchRoot(t)
	r := runInitPlan(t, mountPlan(root, nsexec.In{DstErr: "target", MountErr: "mount", Src: "/dev/null",
		Dst: "x/y/file", Create: nsexec.CreateFile, Flags: unix.MS_BIND}))
	if st, err := os.Stat(filepath.Join(root, "x/y/file")); r.code != 0 || err != nil || !st.Mode().IsRegular() {
		t.Errorf("create=file: exit %d, stderr %q, stat %v", r.code, r.stderr, err)
	}
	r = runInitPlan(t, mountPlan(root, nsexec.In{DstErr: "target", MountErr: "mount", Src: "tmpfs",
		Dst: "evil/sub", Create: nsexec.CreateDir, FSType: "tmpfs"}))
	if r.code == 0 || !strings.Contains(r.stderr, `"evil" is a symlink leading outside the rootfs`) {
		t.Errorf("create through an escaping symlink: exit %d, stderr %q", r.code, r.stderr)
	}
	if ents, _ := os.ReadDir(outside); len(ents) != 0 {
		t.Errorf("created %v outside the root", ents)
	}
	r = runInitPlan(t, mountPlan(root, nsexec.In{DstErr: "target", MountErr: "mount", Src: "tmpfs",
		Dst: "inside", NoSymlinks: true, FSType: "tmpfs"}))
	if r.code == 0 || !strings.Contains(r.stderr, `"inside" is a symlink, refusing to mount there`) {
		t.Errorf("no-symlink target through a symlink: exit %d, stderr %q", r.code, r.stderr)
	}
}

// TestExecPlanStrictGroups: setgroups refused with EPERM (here: no
// CAP_SETGID left) is ignored by SetIDs, as attach wants, and fails
// SetIDsStrict, as lxc.init.groups wants.
func TestExecPlanStrictGroups(t *testing.T) {
	for _, strict := range []bool{false, true} {
		var p nsexec.Plan
		p.Ident("golxc-test", "g1", false, -1, 0)
		p.Stdio()
		p.SetIDs(65534, 65534, nil)
		if strict {
			p.SetIDsStrict(65534, 65534, []int{1})
		} else {
			p.SetIDs(65534, 65534, []int{1})
		}
		p.Exec([]string{"true"}, []string{"PATH=" + testPath}, 65534, testPath)
		r := runPlan(t, p.Bytes(), "", nil)
		if strict && (r.code != 1 || !strings.Contains(r.stderr, "setgroups([1]): Operation not permitted")) {
			t.Errorf("strict: exit %d, stderr %q: want the setgroups failure", r.code, r.stderr)
		}
		if !strict && (r.code != 0 || r.stderr != "") {
			t.Errorf("not strict: exit %d, stderr %q: want EPERM ignored", r.code, r.stderr)
		}
	}
}
