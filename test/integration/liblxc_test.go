package integration

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestLiblxcPythonDownload: Debian's python3-lxc on golxc's liblxc.so.1
// (cmd/liblxc) creates a container from golxc's image server with seed
// 003's create("download", LXC_CREATE_QUIET, {dist, release, arch}) call
// (plus the test server and its key), starts it, attaches, destroys it.
func TestLiblxcPythonDownload(t *testing.T) {
	needRoot(t)
	const python = "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import lxc").Run(); err != nil {
		t.Skip("python3-lxc not installed")
	}
	libDir := shimLibs(t)
	s := newImageServer(t)
	lp := lxcpath(t)
	script := `import lxc, sys
P, S, K = sys.argv[1:4]
c = lxc.Container("capi-dl", P)
print("library", lxc.get_global_config_item("golxc.library"))
print("create", c.create("download", lxc.LXC_CREATE_QUIET, {"dist": "busybox", "release": "img",
      "arch": "amd64", "server": S, "keyring": K}))
print("start", c.start())
print("state", c.state)
print("attach", c.attach_wait(lxc.attach_run_command, ["/bin/busybox", "true"]))
print("stop", c.stop())
print("destroy", c.destroy())
`
	cmd := exec.Command(python, "-c", script, lp, s.https, s.pub)
	cmd.Env = append(os.Environ(), "LD_LIBRARY_PATH="+libDir, "GOLXC_BINARY="+filepath.Join(binDir, "golxc"),
		"LXC_CACHE_PATH="+t.TempDir(), "SSL_CERT_FILE="+s.ca, "GOLXC_LIBLXC_LOG=-")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	want := "library golxc " + filepath.Join(libDir, "liblxc.so.1") + "\ncreate True\nstart True\nstate RUNNING\nattach 0\nstop True\ndestroy True\n"
	if !strings.Contains(string(out), want) {
		t.Errorf("output:\n%s\nwant:\n%s", out, want)
	}
}
