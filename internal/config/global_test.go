package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestGlobalItem(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "lxc.conf")
	writeFile(t, conf, "# lxc.lxcpath = /commented\nlxc.lxcpath = /srv/lxc//\n  lxc.bdev.lvm.vg\t= \"vg0\"  \n"+
		"lxc.cgroup.pattern = lxc/%n\nlxc.cgroup.pattern = second\nlxc.bdev.zfs.rootx = nope\n")
	t.Setenv("GOLXC_GLOBAL_CONF", conf)
	for k, want := range map[string]string{
		"lxc.lxcpath":            "/srv/lxc",
		"lxc.bdev.lvm.vg":        "\"vg0\"  ",
		"lxc.cgroup.pattern":     "lxc/%n",
		"lxc.bdev.zfs.root":      "lxc",
		"lxc.bdev.lvm.thin_pool": "lxc",
		"lxc.bdev.rbd.rbdpool":   "lxc",
	} {
		if got, ok := GlobalItem(k); !ok || got != want {
			t.Errorf("GlobalItem(%s) = %q, %v; want %q", k, got, ok, want)
		}
	}
	if _, ok := GlobalItem("lxc.cgroup.use"); ok {
		t.Error("lxc.cgroup.use should be unset")
	}
	if _, ok := GlobalItem("lxc.bogus"); ok {
		t.Error("unknown key reported as set")
	}
	if DefaultLXCPath() != "/srv/lxc" {
		t.Errorf("DefaultLXCPath = %q", DefaultLXCPath())
	}
	t.Setenv("GOLXC_GLOBAL_CONF", filepath.Join(dir, "missing.conf"))
	if os.Geteuid() == 0 {
		if DefaultLXCPath() != "/var/lib/lxc" || DefaultConfigFile() != "/etc/lxc/default.conf" || RuntimeDir() != "/run" {
			t.Errorf("root defaults: %s %s %s", DefaultLXCPath(), DefaultConfigFile(), RuntimeDir())
		}
	}
	if strings.Join(GlobalKeys(), " ") != "lxc.default_config lxc.lxcpath lxc.bdev.lvm.vg lxc.bdev.lvm.thin_pool lxc.bdev.zfs.root lxc.cgroup.use lxc.cgroup.pattern" {
		t.Errorf("GlobalKeys = %v", GlobalKeys())
	}
}
