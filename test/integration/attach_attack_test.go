package integration

import (
	"crypto/sha256"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Attacks by container root on processes entering the container with
// lxc-attach (runc's CVE-2016-9962 and CVE-2019-5736, LXC's TIOCSTI
// design note).

var (
	attackerOnce sync.Once
	attackerPath string
	attackerErr  error
)

// attacker builds testdata/attacker statically (busybox rootfs has no libc).
func attacker(t *testing.T) string {
	t.Helper()
	attackerOnce.Do(func() {
		attackerPath = filepath.Join(binDir, "attacker")
		cmd := exec.Command("go", "build", "-o", attackerPath, "./testdata/attacker")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			attackerErr = fmt.Errorf("building attacker: %v\n%s", err, out)
		}
	})
	if attackerErr != nil {
		t.Fatal(attackerErr)
	}
	return attackerPath
}

// attackContainer is a busybox container with /attacker and the host dir
// it returns mounted at /mnt/out.
func attackContainer(t *testing.T, lp, name string, extra ...string) string {
	t.Helper()
	out, entry := outDir(t)
	busybox(t, lp, name, append(extra, entry)...)
	b, err := os.ReadFile(attacker(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lp, name, "rootfs", "attacker"), b, 0o755); err != nil {
		t.Fatal(err)
	}
	return out
}

// shiftOwner hands the container's files to the mapped root, as the
// busybox template does for an idmapped create.
func shiftOwner(t *testing.T, lp, name string, base int) {
	t.Helper()
	os.Chmod(lp, 0o755)
	filepath.Walk(filepath.Join(lp, name, "rootfs"), func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return nil
		}
		st := info.Sys().(*syscall.Stat_t)
		return os.Lchown(p, base+int(st.Uid), base+int(st.Gid))
	})
	os.Chown(filepath.Join(lp, name), base, base)
}

func fileSum(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

// TestAttachExeAndPtrace: while lxc-attach enters the container again and
// again, container root watches for the entering process and tries to
// open its /proc/PID/exe for writing (directly, and by reopening an O_PATH
// fd the way the CVE-2019-5736 exploit does) and to PTRACE_ATTACH it. The
// exe is a read-only overlay view of golxc (or a sealed memfd copy) and
// the process is non-dumpable until exec: every
// attempt fails and the golxc binaries stay byte-identical. With
// CAP_SYS_PTRACE kept (LXC's default for privileged containers) ptrace of
// a non-dumpable process is allowed by the kernel, so ptrace is only
// asserted with sys_ptrace dropped.
func TestAttachExeAndPtrace(t *testing.T) {
	needRoot(t)
	// lxc-attach runs from its own copy: the monitor keeps binDir/golxc
	// busy (ETXTBSY) for the container's whole life, which would hide a
	// missing defence; the copy is idle between attaches, when a held
	// O_PATH fd could be reopened for writing.
	copyDir := t.TempDir()
	self, err := os.ReadFile(filepath.Join(binDir, "golxc"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(copyDir, "golxc"), self, 0o755); err != nil {
		t.Fatal(err)
	}
	os.Symlink("golxc", filepath.Join(copyDir, "lxc-attach"))
	binaries := []string{filepath.Join(binDir, "golxc"), filepath.Join(copyDir, "golxc")}
	if _, err := os.Stat("/usr/local/bin/golxc"); err == nil {
		binaries = append(binaries, "/usr/local/bin/golxc")
	}
	before := map[string]string{}
	for _, b := range binaries {
		before[b] = fileSum(t, b)
	}
	for i, c := range []struct {
		what   string
		extra  []string
		ptrace bool
	}{
		{"default caps", nil, false},
		{"sys_ptrace dropped", []string{"lxc.cap.drop = sys_ptrace"}, true},
		// In a user namespace container root holds CAP_SYS_PTRACE, but
		// only there: the entering process (its mm from the host) is
		// protected by being non-dumpable, nothing else.
		{"unprivileged", []string{"lxc.idmap = u 0 100000 65536", "lxc.idmap = g 0 100000 65536"}, true},
	} {
		lp := lxcpath(t)
		name := fmt.Sprintf("hatk%d", i)
		out := attackContainer(t, lp, name, c.extra...)
		if strings.Contains(strings.Join(c.extra, " "), "idmap") {
			shiftOwner(t, lp, name, 100000)
			os.Chown(out, 100000, 100000)
			os.Chmod(filepath.Dir(out), 0o755) // the mapped root resolves the source
		}
		startRunning(t, lp, name)
		mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "/bin/sh", "-c",
			"(/attacker watch 8 /mnt/out/log.tmp; mv /mnt/out/log.tmp /mnt/out/log) </dev/null >/mnt/out/err 2>&1 &")
		eventually(t, "the watcher to start", func() bool {
			_, err := os.Stat(filepath.Join(out, "log.tmp"))
			return err == nil
		})
		for j := 0; j < 40; j++ {
			if r := runPath(t, nil, filepath.Join(copyDir, "lxc-attach"), "-P", lp, "-n", name, "--", "/bin/true"); r.code != 0 {
				t.Fatalf("lxc-attach: %s", r)
			}
		}
		var log string
		for k := 0; k < 400 && log == ""; k++ { // the watcher runs 8 s
			if b, err := os.ReadFile(filepath.Join(out, "log")); err == nil {
				log = string(b) + "\n"
			}
			time.Sleep(50 * time.Millisecond)
		}
		if log == "" {
			b, _ := os.ReadFile(filepath.Join(out, "err"))
			t.Fatalf("%s: the watcher never finished: %s", c.what, b)
		}
		lines := strings.Split(strings.TrimSpace(log), "\n")
		t.Logf("%s: %d entering processes seen, e.g. %s", c.what, len(lines), lines[0])
		// At least one attempt must have met a live entering process,
		// or the test proved nothing.
		hits := 0
		for _, l := range lines {
			if strings.Contains(l, "write=ETXTBSY") || strings.Contains(l, "write=EACCES") || strings.Contains(l, "write=EPERM") || strings.Contains(l, "write=EROFS") {
				hits++
			}
		}
		if hits == 0 {
			t.Fatalf("%s: the watcher never caught an attaching process before its exec:\n%s", c.what, log)
		}
		for _, l := range lines {
			if strings.Contains(l, "write=OK") || strings.Contains(l, "reopen=OK") {
				t.Errorf("%s: container root opened an attaching process's exe for writing: %s", c.what, l)
			}
			if c.ptrace && strings.Contains(l, "ptrace=OK") {
				t.Errorf("%s: container root ptraced an attaching process: %s", c.what, l)
			}
		}
		killStop(t, lp, name)
	}
	for _, b := range binaries {
		if fileSum(t, b) != before[b] {
			t.Errorf("%s changed during the attacks", b)
		}
	}
}

// TestAttachTIOCSTI: an attached command on a terminal pushes keystrokes
// with TIOCSTI into its stdin tty. lxc-attach gives it a pty from the
// container's devpts, so the keystrokes land there and never in the input
// queue of the caller's terminal (a pty pair this test owns), where the
// host shell would read them after lxc-attach exits.
func TestAttachTIOCSTI(t *testing.T) {
	needRoot(t)
	if b, err := os.ReadFile("/proc/sys/dev/tty/legacy_tiocsti"); err == nil && strings.TrimSpace(string(b)) == "0" {
		t.Skip("dev.tty.legacy_tiocsti = 0: this kernel refuses TIOCSTI for everyone, nothing to inject")
	}
	lp := lxcpath(t)
	name := "htiocsti1"
	attackContainer(t, lp, name)
	startRunning(t, lp, name)

	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetUint32(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	cmd := exec.Command(filepath.Join(binDir, "lxc-attach"), "-P", lp, "-n", name, "--", "/attacker", "tiocsti", "echo INJECTED\n")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	var outMu sync.Mutex
	var output strings.Builder
	done := make(chan struct{})
	go func() {
		defer close(done)
		buf := make([]byte, 4096)
		for {
			k, err := m.Read(buf)
			outMu.Lock()
			output.Write(buf[:k])
			outMu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	if err := cmd.Run(); err != nil {
		t.Fatalf("lxc-attach: %v", err)
	}
	outMu.Lock()
	got := output.String()
	outMu.Unlock()
	// The injection itself must have worked (inside the container),
	// otherwise the test shows nothing.
	for i := 0; i < 100 && !strings.Contains(got, "tiocsti:"); i++ {
		time.Sleep(20 * time.Millisecond)
		outMu.Lock()
		got = output.String()
		outMu.Unlock()
	}
	if !strings.Contains(got, "tiocsti: ok") {
		t.Fatalf("the attached command could not use TIOCSTI on its own tty; output %q", got)
	}
	queued, err := unix.IoctlGetInt(int(s.Fd()), unix.TIOCINQ)
	if err != nil {
		t.Fatal(err)
	}
	if queued != 0 {
		buf := make([]byte, queued)
		unix.SetNonblock(int(s.Fd()), true)
		k, _ := s.Read(buf)
		t.Fatalf("%d bytes were injected into the caller's terminal: %q", queued, buf[:k])
	}
	killStop(t, lp, name)
}
