package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
)

// runAs runs one of our tools as uid/gid 65534 with the given HOME.
func runAs(t *testing.T, home, tool string, args ...string) result {
	t.Helper()
	cmd := exec.Command(filepath.Join(binDir, tool), args...)
	cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin"}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	return runCmd(t, cmd)
}

// A non-root user gets LXC's per-user paths: ~/.local/share/lxc for
// containers and ~/.config/lxc for lxc.conf and default.conf.
func TestPerUserPaths(t *testing.T) {
	needRoot(t)
	home, err := os.MkdirTemp("", "golxc-home-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(home) })
	os.Chmod(home, 0o755)
	os.Chown(home, 65534, 65534)
	expect(t, runAs(t, home, "lxc-config", "lxc.lxcpath"), 0, home+"/.local/share/lxc\n", "")
	expect(t, runAs(t, home, "lxc-config", "lxc.default_config"), 0, home+"/.config/lxc/default.conf\n", "")
	os.MkdirAll(filepath.Join(home, ".config", "lxc"), 0o755)
	os.WriteFile(filepath.Join(home, ".config", "lxc", "lxc.conf"), []byte("lxc.lxcpath = "+home+"/ct\n"), 0o644)
	expect(t, runAs(t, home, "lxc-config", "lxc.lxcpath"), 0, home+"/ct\n", "")
	os.MkdirAll(filepath.Join(home, "ct", "mine"), 0o755)
	os.WriteFile(filepath.Join(home, "ct", "mine", "config"), []byte("lxc.uts.name = mine\n"), 0o644)
	exec.Command("chown", "-R", "65534:65534", home).Run()
	expect(t, runAs(t, home, "lxc-ls", "-1"), 0, "mine\n", "")
	expect(t, runAs(t, home, "lxc-info", "-n", "mine", "-c", "lxc.uts.name", "-H"), 0, "mine\n", "")
}
