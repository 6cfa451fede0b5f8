package criu

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDumpArgs(t *testing.T) {
	p := NewDumpPlan("/tmp/ck")
	p.InitPid = 42
	p.FreezeCgroup = "/sys/fs/cgroup/freezer/lxc.payload.c1"
	p.Cgroups = []CgroupRoot{{Controllers: []string{"cpu", "cpuacct"}, Path: "/lxc.payload.c1"}, {Path: "/lxc.payload.c1"}}
	p.BindTargets = []string{"mnt/data"}
	p.TTYID = "tty[8800:1a]"
	p.Version = "3.17.1"
	got := strings.Join(p.Args(), " ")
	want := "dump --tcp-established --file-locks --link-remap --manage-cgroups=full --ext-mount-map auto " +
		"--enable-external-sharing --enable-external-masters --enable-fs hugetlbfs --enable-fs tracefs " +
		"-D /tmp/ck -o /tmp/ck/dump.log --cgroup-root cpu,cpuacct:/lxc.payload.c1 --cgroup-root /lxc.payload.c1 " +
		"--ext-mount-map /mnt/data:/mnt/data -t 42 --skip-in-flight " +
		"--freeze-cgroup /sys/fs/cgroup/freezer/lxc.payload.c1 " +
		"--ext-mount-map /dev/console:console --external tty[8800:1a] --force-irmap --leave-running"
	if got != want {
		t.Errorf("dump args\n got %s\nwant %s", got, want)
	}

	// -s: criu kills the tree, so no --leave-running; old criu: no
	// --skip-in-flight; -v: -v4.
	p.Stop, p.Version, p.Verbose = true, "2.3", true
	a := p.Args()
	if slices.Contains(a, "--leave-running") || slices.Contains(a, "--skip-in-flight") || !slices.Contains(a, "-v4") {
		t.Errorf("stop/old/verbose: %v", a)
	}
	p.PreDump, p.PredumpDir = true, "../pre"
	a = p.Args()
	if a[0] != "pre-dump" || !slices.Contains(a, "/tmp/ck/pre-dump.log") || !slices.Contains(a, "--track-mem") {
		t.Errorf("pre-dump: %v", a)
	}
}

// TestDumpMigrateOptions: struct migrate_opts' fields, as LXC passes them.
func TestDumpMigrateOptions(t *testing.T) {
	p := NewDumpPlan("/tmp/ck")
	p.Version = "3.17.1"
	p.NoSkipInFlight, p.PreservesInodes, p.GhostLimit = true, true, 4096
	p.PageServer = "10.0.0.1:27"
	got := " " + strings.Join(p.Args(), " ") + " "
	for _, bad := range []string{" --skip-in-flight ", " --force-irmap "} {
		if strings.Contains(got, bad) {
			t.Errorf("has %q: %s", bad, got)
		}
	}
	for _, want := range []string{" --page-server --address 10.0.0.1 --port 27 ", " --ghost-limit 4096 "} {
		if !strings.Contains(got, want) {
			t.Errorf("lacks %q: %s", want, got)
		}
	}
}

// TestDumpPageServerIPv6: an IPv6 page server reaches criu whole.
func TestDumpPageServerIPv6(t *testing.T) {
	p := NewDumpPlan("/tmp/ck")
	p.PageServer = "[fd00::1]:27"
	got := " " + strings.Join(p.Args(), " ") + " "
	if want := " --page-server --address fd00::1 --port 27 "; !strings.Contains(got, want) {
		t.Errorf("lacks %q: %s", want, got)
	}
}

// TestCheckFeatures: unknown bits get no answer; a criu that fails every
// check confirms nothing.
func TestCheckFeatures(t *testing.T) {
	if got := CheckFeatures("/bin/true", 1<<5|FeatureMemTrack); got != 0 {
		t.Errorf("unknown bit: %#x", got)
	}
	if got := CheckFeatures("/bin/true", FeatureMemTrack|FeatureLazyPages); got != FeatureMemTrack|FeatureLazyPages {
		t.Errorf("all confirmed: %#x", got)
	}
	if got := CheckFeatures("/bin/false", FeatureMemTrack|FeatureLazyPages); got != 0 {
		t.Errorf("none confirmed: %#x", got)
	}
}

func TestRestoreArgs(t *testing.T) {
	p := NewRestorePlan("/tmp/ck")
	p.Root = "/usr/lib/x86_64-linux-gnu/lxc/rootfs"
	p.PidFile = "/tmp/ck/restore.pid"
	p.Net = []NetDev{{Type: "veth", Name: "eth0", Host: "vethAB12", Link: "lxcbr0"}, {Type: "macvlan", Name: "eth1", Link: "eno1"}}
	p.Version = "3.17.1"
	a, err := p.Args()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(a, " ")
	for _, w := range []string{"restore ", "--root /usr/lib/x86_64-linux-gnu/lxc/rootfs --restore-detached --restore-sibling",
		"--pidfile /tmp/ck/restore.pid", "--external veth[eth0]:vethAB12@lxcbr0", "--external macvlan[eth1]:eno1"} {
		if !strings.Contains(got, w) {
			t.Errorf("restore args lack %q: %s", w, got)
		}
	}
	p.Version = "2.7"
	a, _ = p.Args()
	if !strings.Contains(strings.Join(a, " "), "--veth-pair eth0=vethAB12@lxcbr0") {
		t.Errorf("criu 2.7 takes --veth-pair: %v", a)
	}
	p.TTYID = "tty[8800:1a]"
	if _, err := p.Args(); err == nil {
		t.Error("a checkpoint with a console restored without one: no error")
	}
	p.ConsoleFD = 3
	a, _ = p.Args()
	if !strings.Contains(strings.Join(a, " "), "--inherit-fd fd[3]:tty[8800:1a]") {
		t.Errorf("console: %v", a)
	}
	p.Net = []NetDev{{Type: "macvlan", Name: "eth1"}}
	if _, err := p.Args(); err == nil || !strings.Contains(err.Error(), "lxc.net.N.link") {
		t.Errorf("macvlan without link: %v", err)
	}
}

func TestVersionAtLeast(t *testing.T) {
	for _, c := range []struct {
		v, min string
		want   bool
	}{
		{"3.17.1", "2.0", true}, {"2.0", "2.0", true}, {"1.8", "2.0", false},
		{"2.10", "2.8", true}, {"2.4", "2.8", false}, {"3.15", "3.15", true}, {"", "2.0", false},
	} {
		if got := VersionAtLeast(c.v, c.min); got != c.want {
			t.Errorf("VersionAtLeast(%q, %q) = %v", c.v, c.min, got)
		}
	}
}

// The log criu 3.17.1 writes on a kernel whose vDSO it does not know.
const vdsoLog = `(00.000000) Version: 3.17.1 (gitid 0)
(00.000471) Error (criu/util.c:642): exited, status=1
(00.001012) Error (criu/vdso.c:381): vdso: Unexpected rt vDSO area bounds
(00.001020) Error (criu/vdso.c:613): vdso: Failed to fill self vdso symtable
(00.001024) Error (criu/kerndat.c:1615): kerndat_vdso_fill_symtable failed when initializing kerndat.
(00.001100) Error (criu/crtools.c:260): Could not initialize kernel features detection.
`

func TestExplain(t *testing.T) {
	want := "Could not initialize kernel features detection: vdso: Unexpected rt vDSO area bounds"
	if got := Explain([]byte(vdsoLog)); got != want {
		t.Errorf("Explain = %q, want %q", got, want)
	}
	if got := Explain([]byte("(00.1) Error (criu/cr-dump.c:1): Dumping FAILED.\n")); got != "Dumping FAILED" {
		t.Errorf("one error: %q", got)
	}
	if got := Explain([]byte("(00.1) Warn: nothing\n")); got != "" {
		t.Errorf("no error: %q", got)
	}
}

// TestRunFailure runs a stand-in criu (a shell script writing a log and
// exiting 1): the error names the action, the status, the reason from
// the log and the log's path.
func TestRunFailure(t *testing.T) {
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	dir := t.TempDir()
	fake := filepath.Join(dir, "criu")
	script := "#!" + sh + "\nfor a; do case $prev in -o) printf '%s' \"$VDSO\" > \"$a\";; esac; prev=$a; done\nexit 1\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("VDSO", vdsoLog)
	p := NewDumpPlan(dir)
	p.InitPid = 1
	err = (&Binary{Path: fake, Version: "3.17.1"}).Run(p.Args(), nil)
	if err == nil {
		t.Fatal("no error")
	}
	want := "criu 3.17.1 dump failed on kernel " + kernelRelease() + " (exit status 1): Could not initialize kernel features detection: vdso: Unexpected rt vDSO area bounds (criu's log: " + dir + "/dump.log)"
	if err.Error() != want {
		t.Errorf("error\n got %s\nwant %s", err, want)
	}
}
