package rootfs_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/initsetup"
	"github.com/golxc/golxc/internal/rootfs"
)

// The parent test re-executes this binary with childEnv set; the child runs
// in fresh mount/pid/uts/ipc/net namespaces, does Prepare + Final.Run and
// execs a busybox command whose output the parent inspects.
const childEnv = "GOLXC_ROOTFS_TEST_SCENARIO"

type scenario struct {
	Spec        config.Spec
	RootfsMount string
	ConsolePath string
	Cmd         []string
	Env         []string
	SetHostname bool
	HookLog     string // host file that records the hooks in call order
	UserNS      bool   // also a user namespace (root mapped to host root): no mknod
}

func TestMain(m *testing.M) {
	if js := os.Getenv(childEnv); js != "" {
		runChild(js)
	}
	os.Exit(m.Run())
}

// runChild never returns: exit 3 = Prepare failed, 4 = Final.Run failed.
func runChild(js string) {
	runtime.LockOSThread()
	var sc scenario
	if err := json.Unmarshal([]byte(js), &sc); err != nil {
		fmt.Fprintln(os.Stderr, "SCENARIO:", err)
		os.Exit(2)
	}
	s := &rootfs.Setup{
		Name: "t", Spec: &sc.Spec, RootfsMount: sc.RootfsMount,
		ConsolePath: sc.ConsolePath,
	}
	if sc.HookLog != "" {
		s.RunHook = func(kind string) error {
			f, err := os.OpenFile(sc.HookLog, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
			if err != nil {
				return err
			}
			defer f.Close()
			_, err = fmt.Fprintln(f, kind)
			return err
		}
	}
	if err := s.Prepare(); err != nil {
		fmt.Fprintln(os.Stderr, "PREPARE: "+err.Error())
		os.Exit(3)
	}
	// Final.Run closes every inherited fd: the tty masters go, and with
	// them their /dev/pts entries (the monitor holds them in real use).
	for _, m := range s.TTYs() {
		m.Close()
	}
	f := &initsetup.Final{Spec: &sc.Spec, Cmd: sc.Cmd, Env: sc.Env, SetHostname: sc.SetHostname}
	err := f.Run()
	var ee *initsetup.ExecError
	if errors.As(err, &ee) && ee.NotFound() {
		fmt.Fprintln(os.Stderr, "NOTFOUND: "+err.Error())
		os.Exit(5)
	}
	fmt.Fprintln(os.Stderr, "FINAL: "+err.Error())
	os.Exit(4)
}

type result struct {
	stdout, stderr string
	code           int
}

// run executes sc in a throwaway child and checks that the host's mount
// table is unchanged afterwards.
func run(t *testing.T, sc scenario) result {
	t.Helper()
	if sc.RootfsMount == "" {
		sc.RootfsMount = filepath.Join(t.TempDir(), "mnt")
	}
	if sc.Env == nil {
		sc.Env = []string{"PATH=/bin", "container=lxc", "FOO=bar"}
	}
	js, err := json.Marshal(sc)
	if err != nil {
		t.Fatal(err)
	}
	before := hostMounts(t)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(js))
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: syscall.CLONE_NEWNS | syscall.CLONE_NEWPID | syscall.CLONE_NEWUTS |
			syscall.CLONE_NEWIPC | syscall.CLONE_NEWNET,
		Pdeathsig: syscall.SIGKILL,
	}
	if sc.UserNS {
		a := cmd.SysProcAttr
		a.Cloneflags |= syscall.CLONE_NEWUSER
		a.UidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 65536}}
		a.GidMappings = []syscall.SysProcIDMap{{ContainerID: 0, HostID: 0, Size: 65536}}
		a.GidMappingsEnableSetgroups = true
	}
	err = cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running child: %v", err)
	}
	if after := hostMounts(t); after != before {
		t.Errorf("host mount table changed:\nbefore:\n%s\nafter:\n%s", before, after)
	}
	return result{out.String(), errb.String(), code}
}

// mustRun runs sc and fails unless the payload exited 0.
func mustRun(t *testing.T, sc scenario) string {
	t.Helper()
	r := run(t, sc)
	if r.code != 0 {
		t.Fatalf("child exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

func hostMounts(t *testing.T) string {
	b, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var applets = []string{"sh", "cat", "ls", "mkdir", "touch", "echo", "env", "hostname", "id",
	"readlink", "stat", "test", "grep", "pwd", "true", "false", "ln"}

// buildRootfs makes a minimal busybox rootfs and returns its path.
func buildRootfs(t *testing.T) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	bb, err := os.ReadFile("/usr/bin/busybox")
	if err != nil {
		t.Skip("needs a static /usr/bin/busybox")
	}
	dir := filepath.Join(t.TempDir(), "rootfs")
	for _, d := range []string{"bin", "proc", "sys", "dev", "tmp", "etc", "root"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(dir, "tmp"), 0o1777); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin/busybox"), bb, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, a := range applets {
		if err := os.Symlink("busybox", filepath.Join(dir, "bin", a)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "MARKER"), []byte("inside-rootfs\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// baseSpec is a typical busybox container configuration.
func baseSpec(rootfsDir string) config.Spec {
	return config.Spec{
		Rootfs:    config.RootfsSpec{Type: "dir", Path: rootfsDir},
		Autodev:   true,
		PTYMax:    16,
		MountAuto: config.MountAuto{Proc: "mixed", Sys: "mixed"},
	}
}

func sh(script string) []string { return []string{"sh", "-c", script} }

// mountLine returns the mountinfo line whose mount point is mp.
func mountLine(mountinfo, mp string) string {
	var found string
	for _, l := range strings.Split(mountinfo, "\n") {
		f := strings.Fields(l)
		if len(f) > 4 && f[4] == mp {
			found = l // the last one is the visible one
		}
	}
	return found
}

// openPty allocates a pty pair on the host and returns the slave path.
func openPty(t *testing.T) string {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no ptys: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, m)
	return fmt.Sprintf("/dev/pts/%d", n)
}
