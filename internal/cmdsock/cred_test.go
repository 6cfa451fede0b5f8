package cmdsock

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

const childEnv = "GOLXC_CMDSOCK_CRED_CHILD"

// TestCredChild is the client half of TestForeignUIDIsRefused, run in a
// re-executed copy of the test binary as another user.
func TestCredChild(t *testing.T) {
	target := os.Getenv(childEnv)
	if target == "" {
		t.Skip("helper for TestForeignUIDIsRefused")
	}
	lxcpath, name, _ := strings.Cut(target, "\n")
	c, err := Dial(lxcpath, name)
	if err != nil {
		fmt.Printf("dial error: %v\n", err)
		return
	}
	for _, cmd := range []Cmd{GetState, Freeze} {
		resp, err := c.Do(&Request{Cmd: cmd})
		if err != nil {
			fmt.Printf("%s: error %v\n", cmd, err)
			continue
		}
		fmt.Printf("%s: ret %d\n", cmd, resp.Ret)
	}
}

func TestForeignUIDIsRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to run the client as uid 65534")
	}
	f, lxcpath := serveFake(t, "c1")

	// The go test binary lives in a private directory; copy it where
	// nobody can execute it.
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "cmdsock.test")
	copyFile(t, os.Args[0], bin)

	cmd := exec.Command(bin, "-test.run=^TestCredChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+lxcpath+"\nc1")
	cmd.Dir = "/"
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	for _, want := range []string{"get_state: ret -1\n", "freeze: ret -1\n"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("child output lacks %q (-EPERM):\n%s", want, out)
		}
	}
	f.mu.Lock()
	freezes := len(f.freezeTO)
	f.mu.Unlock()
	if freezes != 0 {
		t.Fatal("refused FREEZE reached the handler")
	}
	// Root is still served.
	if st, err := dialFake(t, lxcpath, "c1").State(); err != nil || st != RUNNING {
		t.Fatalf("root after refusal: %v %v", st, err)
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestServerCloseReadsAsStopped(t *testing.T) {
	f, lxcpath := serveFake(t, "c1")
	c := dialFake(t, lxcpath, "c1")
	sub, err := c.Subscribe([]State{STOPPED})
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	other, err := c.Subscribe([]State{FROZEN})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	f.srv.Close()
	if st, err := sub.Wait(-1); err != nil || st != STOPPED {
		t.Fatalf("STOPPED waiter: %v %v", st, err)
	}
	if _, err := other.Wait(-1); !errors.Is(err, ErrNotRunning) {
		t.Fatalf("FROZEN waiter: %v", err)
	}
}
