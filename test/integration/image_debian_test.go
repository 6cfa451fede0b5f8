package integration

import (
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestImageDebianBoots: golxc image build --from debootstrap makes a
// Debian bookworm image from the machine's apt mirror; created through
// the download template, it boots to `systemctl is-system-running` =
// running.
func TestImageDebianBoots(t *testing.T) {
	needRoot(t)
	if testing.Short() {
		t.Skip("debootstraps Debian (minutes)")
	}
	if _, err := exec.LookPath("debootstrap"); err != nil {
		t.Skip("debootstrap is not installed")
	}
	mirror := debianMirror()
	resp, err := (&http.Client{Timeout: 20 * time.Second}).Head(strings.TrimRight(mirror, "/") + "/dists/" + debianRelease + "/Release")
	if err != nil {
		t.Skipf("the Debian mirror %s is unreachable (%v): set MIRROR", mirror, err)
	}
	resp.Body.Close()
	ownLxcbr0(t)
	s := newImageServer(t)
	r := runPathTimeout(t, 20*time.Minute, nil, filepath.Join(binDir, "golxc"), "image", "build", "--from", "debootstrap",
		"--mirror", mirror, "--dist", "debian", "--release", debianRelease, "--arch", "amd64", "--build", "d1", "--key", s.key, s.dir)
	if r.code != 0 {
		t.Fatalf("golxc image build --from debootstrap: %s", r)
	}
	lp := lxcpath(t)
	name := "img-deb"
	t.Cleanup(func() {
		run(t, nil, "lxc-destroy", "-P", lp, "-n", name, "-f")
		killMonitors(t, lp, name)
	})
	r = downloadCreate(t, s.env(t.TempDir()), lp, name, "-d", "debian", "-r", debianRelease, "-a", "amd64", "--server", s.https, "--keyring", s.pub)
	if r.code != 0 {
		t.Fatalf("create from the Debian image: %s", r)
	}
	mustRun(t, "lxc-start", "-P", lp, "-n", name)
	mustRun(t, "lxc-wait", "-P", lp, "-n", name, "-s", "RUNNING", "-t", "30")
	waitSystemd(t, lp, name)
	if r := mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "cat", "/etc/debian_version"); !strings.HasPrefix(r.stdout, "12.") {
		t.Errorf("/etc/debian_version %q", r.stdout)
	}
	if r := mustRun(t, "lxc-attach", "-P", lp, "-n", name, "--", "hostname"); r.stdout != name+"\n" {
		t.Errorf("hostname %q", r.stdout)
	}
	mustRun(t, "lxc-stop", "-P", lp, "-n", name, "-t", "60")
}
