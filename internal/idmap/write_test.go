package idmap

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/testuser"
)

const helperEnv = "GOLXC_IDMAP_TEST_MAPS"

// parseMaps reads "u 0 100000 65536,g 0 100000 65536".
func parseMaps(s string) (uids, gids []config.IDMap) {
	for _, e := range strings.Split(s, ",") {
		var x config.IDMap
		var typ string
		fmt.Sscanf(e, "%s %d %d %d", &typ, &x.NSID, &x.HostID, &x.Range)
		x.Type = typ[0]
		if x.Type == 'u' {
			uids = append(uids, x)
		} else {
			gids = append(gids, x)
		}
	}
	return uids, gids
}

// mapChild starts a shell in a new user namespace, maps it with Write
// and prints what the shell sees: its maps and its ids (its host ids seen
// through the maps: 65534 when they are not mapped).
func mapChild(maps string) (string, error) {
	sh := exec.Command("/bin/sh", "-c", "read x; cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g")
	sh.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWUSER}
	in, err := sh.StdinPipe()
	if err != nil {
		return "", err
	}
	var out bytes.Buffer
	sh.Stdout, sh.Stderr = &out, &out
	if err := sh.Start(); err != nil {
		return "", err
	}
	u, g := parseMaps(maps)
	werr := Write(sh.Process.Pid, u, g)
	in.Write([]byte("\n"))
	in.Close()
	sh.Wait()
	if werr != nil {
		return "", werr
	}
	return strings.Join(strings.Fields(out.String()), " "), nil
}

// TestHelperMapChild is the test user's side of TestWriteAsUser.
func TestHelperMapChild(t *testing.T) {
	maps := os.Getenv(helperEnv)
	if maps == "" {
		t.Skip("helper process only")
	}
	out, err := mapChild(maps)
	if err != nil {
		var mr *MissingRangeError
		if errors.As(err, &mr) {
			fmt.Println("MISSING:", err)
		} else {
			fmt.Println("ERROR:", err)
		}
		return
	}
	fmt.Println("OK:", out)
}

// A plain user maps a user namespace through newuidmap/newgidmap within
// its /etc/subuid and /etc/subgid ranges (plus its own ids); outside them
// the error is the one line that says how to grant the range.
func TestWriteAsUser(t *testing.T) {
	for _, tool := range []string{"newuidmap", "newgidmap"} {
		if _, err := ShadowTool(tool); err != nil {
			t.Skip(err)
		}
	}
	u := testuser.Create(t, "unstest1", "2100000-2165535")
	exe := testuser.Exe(t)
	asUser := func(maps string) string {
		t.Helper()
		cmd := exec.Command(exe, "-test.run=^TestHelperMapChild$", "-test.count=1")
		cmd.Dir = "/"
		cmd.Env = []string{helperEnv + "=" + maps, "PATH=/usr/bin:/bin"}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: u.UID, Gid: u.GID, Groups: []uint32{}}}
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("helper: %v: %s", err, out)
		}
		for _, l := range strings.Split(string(out), "\n") {
			if strings.HasPrefix(l, "OK:") || strings.HasPrefix(l, "MISSING:") || strings.HasPrefix(l, "ERROR:") {
				return l
			}
		}
		t.Fatalf("helper said nothing useful: %s", out)
		return ""
	}
	uid, gid := u.UID, u.GID
	got := asUser("u 0 2100000 65536,g 0 2100000 65536")
	if want := "OK: 0 2100000 65536 0 2100000 65536 65534 65534"; got != want {
		t.Errorf("full range: %q, want %q", got, want)
	}
	// Seed 003's pass-through of the user's own ids.
	got = asUser(fmt.Sprintf("u 0 2100000 1000,u 1000 %d 1,u 1001 2101001 64535,g 0 2100000 1000,g 1000 %d 1,g 1001 2101001 64535", uid, gid))
	want := fmt.Sprintf("OK: 0 2100000 1000 1000 %d 1 1001 2101001 64535 0 2100000 1000 1000 %d 1 1001 2101001 64535 1000 1000", uid, gid)
	if got != want {
		t.Errorf("pass-through: %q, want %q", got, want)
	}
	got = asUser("u 0 2100000 65536,g 0 2200000 65536")
	want = "MISSING: lxc.idmap = g 0 2200000 65536: host gids 2200000-2265535 are not delegated to unstest1 in /etc/subgid: as root run: usermod --add-subgids 2200000-2265535 unstest1"
	if got != want {
		t.Errorf("missing range:\n got %q\nwant %q", got, want)
	}
}

// Root writes the maps itself, whatever /etc/subuid says.
func TestWriteAsRoot(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root")
	}
	got, err := mapChild("u 0 3100000 65536,g 0 3100000 65536")
	if err != nil {
		t.Fatal(err)
	}
	if want := "0 3100000 65536 0 3100000 65536 65534 65534"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
