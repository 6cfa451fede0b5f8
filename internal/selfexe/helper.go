package selfexe

import (
	"fmt"
	"os"
	"path/filepath"
)

// ImageHelper is the helper binary behind lxc-create -t download and
// golxc image: it links xz, OpenPGP and TLS, which golxc itself keeps out
// of its start.
const ImageHelper = "golxc-image"

// EnvImageHelper names the image helper to run instead of the lookup.
const EnvImageHelper = "GOLXC_IMAGE_HELPER"

// helperWellKnown are the libexec directories make install and packages use.
var helperWellKnown = []string{"/usr/local/libexec/golxc", "/usr/libexec/golxc", "/usr/lib/golxc"}

// Helper finds a helper binary of golxc: $GOLXC_IMAGE_HELPER for the
// image helper, else next to the golxc binary (a build tree's bin/), in
// ../libexec/golxc from it (make install's layout), then the well-known
// libexec directories.
func Helper(name string) (string, error) {
	if name == ImageHelper {
		if p := os.Getenv(EnvImageHelper); p != "" {
			if err := usable(p); err != nil {
				return "", fmt.Errorf("%s=%s: %w: point it to golxc's %s or unset it", EnvImageHelper, p, err, name)
			}
			return p, nil
		}
	}
	var dirs []string
	if bin := golxcPath(); bin != "" {
		d := filepath.Dir(bin)
		dirs = append(dirs, d, filepath.Join(d, "..", "libexec", "golxc"))
	}
	dirs = append(dirs, helperWellKnown...)
	var tried []string
	for _, d := range dirs {
		p := filepath.Clean(filepath.Join(d, name))
		if usable(p) == nil {
			return p, nil
		}
		tried = append(tried, p)
	}
	return "", fmt.Errorf("golxc's %s helper not found (looked at %v): install golxc with make install, or set %s", name, tried, EnvImageHelper)
}

// golxcPath is the golxc binary's real path ("" when unknown).
func golxcPath() string {
	if IsMain() {
		p, err := os.Executable()
		if err != nil {
			return ""
		}
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r
		}
		return p
	}
	b, err := Decide(Current())
	if err != nil {
		return ""
	}
	if r, err := filepath.EvalSymlinks(b.Path); err == nil {
		return r
	}
	return b.Path
}
