package lxc

import "github.com/golxc/golxc/internal/config"

// Version is the LXC version whose interface golxc implements.
func Version() string { return "5.0.2" }

// VersionNumber returns the major and minor version.
func VersionNumber() (major int, minor int) { return 5, 0 }

// VersionAtLeast compares with the implemented LXC version.
func VersionAtLeast(major, minor, micro int) bool {
	v := [3]int{5, 0, 2}
	w := [3]int{major, minor, micro}
	for i := range v {
		if v[i] != w[i] {
			return v[i] > w[i]
		}
	}
	return true
}

// GlobalConfigItem returns a lxc.conf(5) item ("" when unset).
func GlobalConfigItem(name string) string {
	v, _ := config.GlobalItem(name)
	return v
}

// DefaultConfigPath is lxc.lxcpath.
func DefaultConfigPath() string { return config.DefaultLXCPath() }

// DefaultLvmVg is lxc.bdev.lvm.vg.
func DefaultLvmVg() string { return GlobalConfigItem("lxc.bdev.lvm.vg") }

// DefaultZfsRoot is lxc.bdev.zfs.root.
func DefaultZfsRoot() string { return GlobalConfigItem("lxc.bdev.zfs.root") }

// IsSupportedConfigItem reports whether key is a config key golxc accepts.
func IsSupportedConfigItem(key string) bool { return config.IsSupported(key) }
