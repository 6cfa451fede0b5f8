package integration

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestImageBuildFromContainer: golxc image build --from container:NAME
// makes an image of an existing (customized) busybox container and of an
// overlay snapshot of it; served by golxc image serve, the download
// template creates containers from them that start. The source's name
// becomes the new container's wherever it stands as a name (hostname,
// hosts), and nowhere else ("localhost" stays); paths under the source's
// directory become the new container's.
func TestImageBuildFromContainer(t *testing.T) {
	s := newImageServer(t)
	lp := lxcpath(t)
	src := "local" // a name that is also part of other words ("localhost")
	mustRun(t, "lxc-create", "-P", lp, "-n", src, "-t", "busybox")
	rootfs := filepath.Join(lp, src, "rootfs")
	for f, data := range map[string]string{
		"etc/hostname": src + "\n",
		"etc/hosts":    "127.0.0.1 localhost\n127.0.1.1 " + src + "." + "example.org " + src + "\n",
		"etc/marker":   "customized\n",
	} {
		if err := os.WriteFile(filepath.Join(rootfs, f), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	conf, err := os.OpenFile(filepath.Join(lp, src, "config"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf.WriteString("lxc.console.logfile = " + filepath.Join(lp, src, "console.log") + "\n")
	conf.Close()
	// The snapshot's own name, written into its overlay's upper layer
	// (the marker shows through from the lower one).
	mustRun(t, "lxc-copy", "-P", lp, "-n", src, "-N", "local-snap", "-s", "-B", "overlay")
	// As LXC's, lxc-copy keeps the origin's log paths: the snapshot's
	// owner points its console log at its own directory.
	snapConf := filepath.Join(lp, "local-snap", "config")
	data, err := os.ReadFile(snapConf)
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(snapConf, []byte(strings.ReplaceAll(string(data), filepath.Join(lp, src, "console.log"), filepath.Join(lp, "local-snap", "console.log"))), 0o644)
	upper := filepath.Join(lp, "local-snap/overlay/delta/etc")
	os.MkdirAll(upper, 0o755)
	for f, data := range map[string]string{
		"hostname": "local-snap\n",
		"hosts":    "127.0.0.1 localhost\n127.0.1.1 local-snap.example.org local-snap\n",
	} {
		if err := os.WriteFile(filepath.Join(upper, f), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}

	for _, c := range []struct{ from, release, name string }{
		{src, "1", "img-fc"},
		{"local-snap", "2", "img-fs"},
	} {
		r := runPathTimeout(t, 3*time.Minute, nil, filepath.Join(binDir, "golxc"), "image", "build", "--dist", "mydist", "--release", c.release,
			"--arch", "amd64", "--build", "c1", "--from", "container:"+c.from, "-P", lp, "--key", s.key, s.dir)
		if r.code != 0 {
			t.Fatalf("golxc image build --from container:%s: %s", c.from, r)
		}
		// The served index shows the new image at once.
		r = runPathTimeout(t, 3*time.Minute, s.env(t.TempDir()), filepath.Join(binDir, "golxc"), "image", "list", "--server", s.https, "--keyring", s.pub)
		if !strings.Contains(r.stdout, "mydist\t"+c.release+"\tamd64\tdefault\tc1\n") {
			t.Fatalf("the index lacks the image from container %s: %s", c.from, r)
		}
		lp2 := lxcpath(t)
		r = downloadCreate(t, s.env(t.TempDir()), lp2, c.name, "-d", "mydist", "-r", c.release, "-a", "amd64",
			"--server", s.https, "--keyring", s.pub)
		if r.code != 0 {
			t.Fatalf("create from the image of container %s: %s", c.from, r)
		}
		newRoot := filepath.Join(lp2, c.name, "rootfs")
		for f, want := range map[string]string{
			"etc/hosts":  "127.0.0.1 localhost\n127.0.1.1 " + c.name + ".example.org " + c.name + "\n",
			"etc/marker": "customized\n",
		} {
			if got, err := os.ReadFile(filepath.Join(newRoot, f)); err != nil || string(got) != want {
				t.Errorf("%s of %s = %q (%v), want %q", f, c.name, got, err, want)
			}
		}
		cfg, _ := os.ReadFile(filepath.Join(lp2, c.name, "config"))
		if !strings.Contains(string(cfg), "lxc.console.logfile = "+filepath.Join(lp2, c.name, "console.log")+"\n") ||
			strings.Contains(string(cfg), lp+"/") || !strings.Contains(string(cfg), "lxc.uts.name = "+c.name+"\n") {
			t.Errorf("config of %s:\n%s", c.name, cfg)
		}
		startAndAttach(t, lp2, c.name)
	}
	// The source containers are as they were (the snapshot's overlay is
	// unmounted again).
	if data, err := os.ReadFile(filepath.Join(rootfs, "etc/hostname")); err != nil || string(data) != src+"\n" {
		t.Errorf("the source's /etc/hostname is now %q (%v)", data, err)
	}
	if mounts, _ := os.ReadFile("/proc/self/mountinfo"); strings.Contains(string(mounts), s.dir) {
		t.Errorf("a mount is left under %s", s.dir)
	}
}
