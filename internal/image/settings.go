package image

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/golxc/golxc/internal/config"
)

// Where the client looks, in order: the option, the environment, the
// system (or user) lxc.conf, the built-in default.
const (
	EnvServer      = "GOLXC_DOWNLOAD_SERVER"
	EnvKeyring     = "GOLXC_DOWNLOAD_KEYRING"
	EnvCachePath   = "LXC_CACHE_PATH" // LXC's own override of the cache base
	KeyServer      = "golxc.download.server"
	KeyKeyring     = "golxc.download.keyring"
	systemKeyring  = "/etc/golxc/download-keyring.gpg"
	userKeyringRel = ".config/golxc/download-keyring.gpg"
)

// DefaultServer is the server used when --server is not given.
func DefaultServer() string {
	if v := os.Getenv(EnvServer); v != "" {
		return v
	}
	if v, ok := config.GolxcSetting(KeyServer); ok && v != "" {
		return v
	}
	return PublicServer
}

// DefaultKeyring is the keyring used when --keyring is not given.
func DefaultKeyring() string {
	if v := os.Getenv(EnvKeyring); v != "" {
		return v
	}
	if v, ok := config.GolxcSetting(KeyKeyring); ok && v != "" {
		return v
	}
	if os.Geteuid() == 0 {
		return systemKeyring
	}
	return filepath.Join(homeDir(), userKeyringRel)
}

// BaseURL turns a --server value into a URL prefix without a trailing
// slash: a bare host[:port] means https, as in LXC; http:// and https://
// URLs are taken as they are.
func BaseURL(server string) string {
	s := strings.TrimRight(server, "/")
	if strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://") {
		return s
	}
	return "https://" + s
}

// CacheBase is LXC's cache directory: $LXC_CACHE_PATH, else
// /var/cache/lxc for the system, ~/.cache/lxc for a user.
func CacheBase(user bool) string {
	if v := os.Getenv(EnvCachePath); v != "" {
		return v
	}
	if user {
		return filepath.Join(homeDir(), ".cache/lxc")
	}
	return "/var/cache/lxc"
}

func homeDir() string {
	if h := os.Getenv("HOME"); h != "" {
		return h
	}
	return "/"
}
