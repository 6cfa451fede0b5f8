package image

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// Substitutions LXC's template makes in templated files.
const (
	TemplateConfigDir = "/usr/share/lxc/config"
	HookDir           = "/usr/share/lxc/hooks"
)

// Target is the container the image is unpacked for.
type Target struct {
	Name, Path, Rootfs, ConfigFile string
}

// relevant is LXC's relevant_file: NAME-MODE if present, then NAME.7.
func relevant(cache, name, mode string) string {
	p := filepath.Join(cache, name)
	if exists(p + "-" + mode) {
		p += "-" + mode
	}
	if exists(p + "." + CompatLevel) {
		p += "." + CompatLevel
	}
	return p
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// readLines reads a meta list file (templates, excludes); missing is empty.
func readLines(p string) []string {
	data, err := os.ReadFile(p)
	if err != nil {
		return nil
	}
	var out []string
	for _, l := range strings.Split(string(data), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// The sed addresses of LXC's template (regular expressions, '.' any char).
var (
	netLine = regexp.MustCompile(`lxc.net.0`)
	lxcLine = regexp.MustCompile(`lxc.`)
)

// SpliceConfig rewrites the container's config as LXC's template does:
// what lxc-create wrote (minus lxc.* lines), the image's config, the
// container's own lxc.* lines, its lxc.uts.name, then its network lines.
func SpliceConfig(t Target, cache, mode string) error {
	imageConfig := relevant(cache, "config", mode)
	distro, err := os.ReadFile(imageConfig)
	if err != nil {
		return errors.New("meta tarball is missing the configuration file")
	}
	cur, err := os.ReadFile(t.ConfigFile)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	var keep, network, auto []string
	sc := bufio.NewScanner(strings.NewReader(string(cur)))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case netLine.MatchString(l):
			network = append(network, l)
		case lxcLine.MatchString(l):
			auto = append(auto, l)
		default:
			keep = append(keep, l)
		}
	}
	var b strings.Builder
	for _, l := range keep {
		b.WriteString(l + "\n")
	}
	b.WriteString("\n# Distribution configuration\n")
	b.Write(distro)
	if len(distro) > 0 && distro[len(distro)-1] != '\n' {
		b.WriteString("\n")
	}
	b.WriteString("\n# Container specific configuration\n")
	for _, l := range auto {
		b.WriteString(l + "\n")
	}
	fstab := relevant(cache, "fstab", mode)
	if exists(fstab) {
		fmt.Fprintf(&b, "lxc.mount.fstab = %s\n", filepath.Join(t.Path, "fstab"))
	}
	fmt.Fprintf(&b, "lxc.uts.name = %s\n", t.Name)
	if len(network) > 0 {
		b.WriteString("\n# Network configuration\n")
		for _, l := range network {
			b.WriteString(l + "\n")
		}
	}
	if err := writeFileAtomic(t.ConfigFile, []byte(render(b.String(), t)), 0o640); err != nil {
		return err
	}
	if exists(fstab) {
		data, err := os.ReadFile(fstab)
		if err != nil {
			return err
		}
		if err := writeFileAtomic(filepath.Join(t.Path, "fstab"), []byte(render(string(data), t)), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// render makes LXC's substitutions, in its order.
func render(s string, t Target) string {
	for _, r := range [][2]string{{"LXC_NAME", t.Name}, {"LXC_PATH", t.Path}, {"LXC_ROOTFS", t.Rootfs},
		{"LXC_TEMPLATE_CONFIG", TemplateConfigDir}, {"LXC_HOOK_DIR", HookDir}} {
		s = strings.ReplaceAll(s, r[0], r[1])
	}
	return s
}

// RenderTemplates renders the rootfs files the image's "templates" list
// names. Each is opened inside the rootfs (symlinks resolved in it), so an
// image cannot make the host's files templated.
func RenderTemplates(t Target, cache, mode string) error {
	rootfd, err := unix.Open(t.Rootfs, unix.O_PATH|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(rootfd)
	for _, rel := range readLines(relevant(cache, "templates", mode)) {
		if err := editInRoot(rootfd, rel, func(s string) string { return render(s, t) }); err != nil {
			return fmt.Errorf("render %s: %w", rel, err)
		}
	}
	// As LXC's template: mingetty must not call vhangup(2), which fails
	// in a user namespace (CentOS and Oracle images).
	return editInRoot(rootfd, "etc/init/tty.conf", func(s string) string {
		return strings.ReplaceAll(s, "mingetty", "mingetty --nohangup")
	})
}

// editInRoot rewrites the regular file rel of the rootfs (resolved inside
// it) with edit; a missing file or one that is not regular is skipped.
func editInRoot(rootfd int, rel string, edit func(string) string) error {
	// O_PATH first: a device node or FIFO an image names is never opened.
	how := &unix.OpenHow{Flags: unix.O_PATH | unix.O_CLOEXEC, Resolve: unix.RESOLVE_IN_ROOT | unix.RESOLVE_NO_MAGICLINKS}
	pfd, err := unix.Openat2(rootfd, strings.TrimPrefix(rel, "/"), how)
	if err != nil {
		return nil // absent files are skipped, as in LXC
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if unix.Fstat(pfd, &st) != nil || st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil
	}
	f, err := os.OpenFile(fmt.Sprintf("/proc/self/fd/%d", pfd), os.O_RDWR, 0)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	out := edit(string(data))
	if out == string(data) {
		return nil
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err = f.WriteAt([]byte(out), 0)
	return err
}

// writeFileAtomic replaces p with data through a temporary file, which
// keeps the old file's mode and owner (a user's config rewritten by the
// root of its container's namespace stays the user's, as LXC's chown of
// the config to the mapped uid does).
func writeFileAtomic(p string, data []byte, mode os.FileMode) error {
	st, err := os.Stat(p)
	if err == nil {
		mode = st.Mode().Perm()
	}
	tmp := p + ".golxc-tmp"
	if err := os.WriteFile(tmp, data, mode); err != nil {
		return err
	}
	if sys, ok := statOwner(st); ok {
		if err := os.Chown(tmp, sys[0], sys[1]); err != nil {
			os.Remove(tmp)
			return err
		}
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// statOwner is the uid and gid of st (ok=false without one).
func statOwner(st os.FileInfo) ([2]int, bool) {
	if st == nil {
		return [2]int{}, false
	}
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return [2]int{}, false
	}
	return [2]int{int(sys.Uid), int(sys.Gid)}, true
}
