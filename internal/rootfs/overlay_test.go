package rootfs_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/config"
)

// An overlay rootfs is mounted from the directories the config split:
// writes land in the upper one, LXC 5.0.2's work directory sits next to it.
func TestOverlayRootfs(t *testing.T) {
	lower := buildRootfs(t)
	top := t.TempDir()
	upper := filepath.Join(top, "upper")
	c := config.New()
	if err := c.LoadBytes("t.conf", []byte("lxc.rootfs.path = overlay:"+lower+":"+upper+"\n")); err != nil {
		t.Fatal(err)
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	spec := baseSpec(lower)
	spec.Rootfs = s.Rootfs
	out := mustRun(t, scenario{Spec: spec, Cmd: sh(`echo hi > /spf-new && grep -c ' / / .* - overlay ' /proc/self/mountinfo`)})
	if strings.TrimSpace(out) != "1" {
		t.Errorf("root is not the overlay: %q", out)
	}
	if b, err := os.ReadFile(filepath.Join(upper, "spf-new")); err != nil || string(b) != "hi\n" {
		t.Errorf("upper dir: %q %v", b, err)
	}
	if _, err := os.Stat(filepath.Join(lower, "spf-new")); err == nil {
		t.Error("the write reached the lower dir")
	}
	if _, err := os.Stat(filepath.Join(top, "work")); err != nil {
		t.Errorf("workdir: %v", err)
	}
}

// A path LXC loads but golxc cannot mount fails the setup with its line.
func TestRootfsPathErr(t *testing.T) {
	lower := buildRootfs(t)
	c := config.New()
	if err := c.LoadBytes("t.conf", []byte("lxc.rootfs.path = overlay:"+lower+"\n")); err != nil {
		t.Fatal(err)
	}
	s, err := c.Spec()
	if err != nil {
		t.Fatal(err)
	}
	spec := baseSpec(lower)
	spec.Rootfs = s.Rootfs
	r := run(t, scenario{Spec: spec, Cmd: sh("true")})
	if r.code == 0 || !strings.Contains(r.stderr, `lxc.rootfs.path: invalid value "overlay:`+lower+`"; an overlay needs`) {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}
