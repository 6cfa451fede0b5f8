package cmdsock

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// serveForLXC serves a fake container that real LXC tools can see: they want
// LXCPATH/NAME/config to exist.
func serveForLXC(t *testing.T, lxcpath, name string) *fakeContainer {
	t.Helper()
	cleanLXCLocks(t, lxcpath)
	if err := os.MkdirAll(filepath.Join(lxcpath, name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(lxcpath, name, "config"), []byte("lxc.uts.name = "+name+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f := newFake(t)
	srv, err := Listen(lxcpath, name, f)
	if err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	f.srv = srv
	f.mu.Unlock()
	t.Cleanup(func() { srv.Close() })
	return f
}

func TestRealLXCToolsQueryOurServer(t *testing.T) {
	needLXC(t, "lxc-info", "lxc-wait", "lxc-stop")
	const name = "golxc-cmdsock-test"
	lxcpath := t.TempDir()
	f := serveForLXC(t, lxcpath, name)

	out, stderr, code := lxcTool(t, "lxc-info", "-P", lxcpath, "-n", name, "-s", "-p", "-H")
	want := fmt.Sprintf("State:          RUNNING\nPID:            %d\n", os.Getpid())
	if code != 0 || out != want {
		t.Fatalf("lxc-info exit %d\nstdout %q\nwant   %q\nstderr %s", code, out, want, stderr)
	}
	out, _, code = lxcTool(t, "lxc-info", "-P", lxcpath, "-n", name, "-p", "-H")
	if code != 0 || out != fmt.Sprintf("%d\n", os.Getpid()) {
		t.Fatalf("lxc-info -p -H: exit %d, %q", code, out)
	}

	if _, stderr, code := lxcTool(t, "lxc-wait", "-P", lxcpath, "-n", name, "-s", "RUNNING", "-t", "2"); code != 0 {
		t.Fatalf("lxc-wait RUNNING exit %d: %s", code, stderr)
	}

	// A real lxc-wait registered as a state client gets our lxc_msg.
	wait := exec.Command("/usr/bin/lxc-wait", "-P", lxcpath, "-n", name, "-s", "FROZEN")
	if err := wait.Start(); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return f.srv.StateClients() == 1 })
	f.setState(FREEZING)
	if f.srv.StateClients() != 1 {
		t.Fatal("FREEZING released a client waiting for FROZEN")
	}
	f.setState(FROZEN)
	if err := wait.Wait(); err != nil {
		t.Fatalf("lxc-wait FROZEN: %v", err)
	}
	out, _, _ = lxcTool(t, "lxc-info", "-P", lxcpath, "-n", name, "-s", "-H")
	if out != "FROZEN\n" {
		t.Fatalf("lxc-info -s -H after freeze: %q", out)
	}
	f.setState(RUNNING)

	// lxc-stop -k sends STOP and waits for the monitor to hang up.
	stop := exec.Command("/usr/bin/lxc-stop", "-P", lxcpath, "-n", name, "-k")
	var stopErr strings.Builder
	stop.Stderr = &stopErr
	if err := stop.Start(); err != nil {
		t.Fatal(err)
	}
	<-f.stopped
	f.srv.Close()
	if err := stop.Wait(); err != nil {
		t.Fatalf("lxc-stop -k: %v: %s", err, stopErr.String())
	}
	out, _, code = lxcTool(t, "lxc-info", "-P", lxcpath, "-n", name, "-s", "-H")
	if code != 0 || out != "STOPPED\n" {
		t.Fatalf("lxc-info after stop: exit %d %q", code, out)
	}
}

func TestRealLXCInfoHashedName(t *testing.T) {
	needLXC(t, "lxc-info")
	// Long enough that "LXCPATH/NAME/command" exceeds 105 bytes.
	lxcpath := filepath.Join(t.TempDir(), strings.Repeat("h", 100))
	const name = "golxc-cmdsock-hashed"
	if !strings.HasPrefix(SocketName(lxcpath, name), "\x00lxc/") {
		t.Fatal("test path not long enough to hash")
	}
	serveForLXC(t, lxcpath, name)
	out, stderr, code := lxcTool(t, "lxc-info", "-P", lxcpath, "-n", name, "-s", "-H")
	if code != 0 || out != "RUNNING\n" {
		t.Fatalf("lxc-info on hashed socket: exit %d %q %s", code, out, stderr)
	}
	names, err := ActiveNames(lxcpath)
	if err != nil || len(names) != 1 || names[0] != name {
		t.Fatalf("ActiveNames = %v, %v", names, err)
	}
}
