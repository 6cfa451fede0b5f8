package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golxc/golxc/lxc"
)

// TestImageDownloadGoAPI: Container.Create with Template "download" and
// go-lxc's download fields (what the C and Python bindings pass as the
// template's arguments) runs the built-in download template.
func TestImageDownloadGoAPI(t *testing.T) {
	s := newImageServer(t)
	lp := lxcpath(t)
	t.Setenv("GOLXC_BINARY", filepath.Join(binDir, "golxc"))
	t.Setenv("LXC_CACHE_PATH", t.TempDir())
	t.Setenv("SSL_CERT_FILE", s.ca)
	c, err := lxc.NewContainer("img-api", lp)
	if err != nil {
		t.Fatal(err)
	}
	c.SetVerbosity(lxc.Quiet)
	err = c.Create(lxc.TemplateOptions{Template: "download", Distro: "busybox", Release: "img", Arch: "amd64",
		Server: s.https, ExtraArgs: []string{"--keyring", s.pub}})
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := os.Stat(filepath.Join(lp, "img-api", "rootfs", "bin", "busybox")); err != nil {
		t.Errorf("rootfs not unpacked: %v", err)
	}
	conf, _ := os.ReadFile(filepath.Join(lp, "img-api", "config"))
	if !strings.Contains(string(conf), "# Parameters passed to the template: --dist busybox --release img --arch amd64 --server "+s.https+" --keyring "+s.pub+"\n") {
		t.Errorf("config header lacks the template's arguments:\n%s", conf)
	}
	startAndAttach(t, lp, "img-api")
	// A wrong image: Create fails and leaves nothing.
	c2, _ := lxc.NewContainer("img-api2", lp)
	c2.SetVerbosity(lxc.Quiet)
	err = c2.Create(lxc.TemplateOptions{Template: "download", Distro: "busybox", Release: "none", Arch: "amd64",
		Server: s.https, ExtraArgs: []string{"--keyring", s.pub}})
	if err == nil || c2.Defined() {
		t.Fatalf("Create of a missing image: err %v, defined %v", err, c2.Defined())
	}
}

// TestImageDownloadInteractive: without -d/-r/-a on a terminal, the
// template lists the images and asks for them.
func TestImageDownloadInteractive(t *testing.T) {
	s := newImageServer(t)
	lp := lxcpath(t)
	t.Setenv("LXC_CACHE_PATH", t.TempDir())
	t.Setenv("SSL_CERT_FILE", s.ca)
	p := startPTY(t, "lxc-create", "-P", lp, "-n", "img-pty", "-t", "download", "--", "--server", s.https, "--keyring", s.pub)
	p.waitFor("busybox\timg\tamd64\tdefault\tb1")
	p.waitFor("Distribution: ")
	p.write("busybox\n")
	p.waitFor("Release: ")
	p.write("img\n")
	p.waitFor("Architecture: ")
	p.write("amd64\n")
	p.waitFor("You just created a busybox img amd64")
	if code := p.wait(); code != 0 {
		t.Fatalf("exit %d: %s", code, p.output())
	}
	// On a terminal the download shows its progress.
	if out := p.output(); !strings.Contains(out, "rootfs.tar.xz: 100%") {
		t.Errorf("no progress line on the terminal:\n%q", out)
	}
	startAndAttach(t, lp, "img-pty")
}
