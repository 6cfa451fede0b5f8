package templates

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/storage"
)

// Busybox is the built-in equivalent of LXC's lxc-busybox template: it fills
// a.Rootfs from the host's static busybox and appends the container keys to
// the config. File modes follow lxc-busybox run under the caller's umask.
// -h/--help in ExtraArgs prints usage to os.Stdout and does nothing else.
func Busybox(a Args) error {
	opts, err := parseBusyboxArgs(&a, a.ExtraArgs)
	if err != nil {
		return err
	}
	if opts.help {
		busyboxUsage(os.Stdout)
		return nil
	}
	if a.Name == "" || a.Path == "" {
		return errors.New("busybox template: the container name and path are required")
	}
	bin := opts.busybox
	if bin != "" {
		err = checkBusyboxPath(bin)
	} else {
		bin, err = findStaticBusybox()
	}
	if err != nil {
		return err
	}
	if a.Rootfs == "" {
		a.Rootfs = rootfsFromConfig(a.configFile(), a.Path)
	}
	steps := []struct {
		what string
		run  func() error
	}{
		{"create the rootfs tree", func() error { return installTree(a.Rootfs, bin) }},
		{"install busybox", func() error { return installBusybox(a.Rootfs, bin) }},
		{"write config " + a.configFile(), func() error { return appendBusyboxConfig(a) }},
		{"change ownership for the id mapping", func() error { return remapOwnership(a) }},
	}
	for _, s := range steps {
		if err := s.run(); err != nil {
			return fmt.Errorf("busybox template: %s: %w", s.what, err)
		}
	}
	return nil
}

// rootfsFromConfig mirrors lxc-busybox without --rootfs: lxc.rootfs.path from
// the config (storage prefix such as "dir:" removed), else PATH/rootfs.
func rootfsFromConfig(configFile, path string) string {
	data, _ := os.ReadFile(configFile)
	for _, line := range strings.Split(string(data), "\n") {
		key, val, ok := strings.Cut(line, "=")
		if !ok || strings.TrimSpace(key) != "lxc.rootfs.path" {
			continue
		}
		val = strings.TrimSpace(val)
		val = strings.TrimPrefix(val, "dir:")
		if val != "" {
			return val
		}
	}
	return filepath.Join(path, "rootfs")
}

func installTree(rootfs, bin string) error {
	for _, d := range busyboxDirs {
		p := filepath.Join(rootfs, d)
		if err := os.MkdirAll(p, 0o777); err != nil {
			return err
		}
		if err := unix.Chmod(p, 0o755); err != nil {
			return fmt.Errorf("chmod %s: %w", p, err)
		}
	}
	// World-writable with the sticky bit, like any /tmp.
	if err := unix.Chmod(filepath.Join(rootfs, "tmp"), 0o1777); err != nil {
		return err
	}
	files := []struct {
		rel, content string
		mode         uint32 // 0: leave to the umask
	}{
		{"etc/passwd", busyboxPasswd, 0},
		{"etc/group", busyboxGroup, 0},
		{"etc/init.d/rcS", busyboxRcS, 0o744},
		{"etc/inittab", busyboxInittab, 0o644},
	}
	for _, f := range files {
		if err := appendFile(filepath.Join(rootfs, f.rel), f.content, f.mode); err != nil {
			return err
		}
	}
	script := udhcpcScriptPath(bin)
	dir := filepath.Join(rootfs, filepath.Dir(script))
	if err := os.MkdirAll(dir, 0o777); err != nil {
		return err
	}
	// lxc-busybox leaves this directory at 0644; keep that for fidelity
	// (root, the only user of a busybox container, is unaffected).
	if err := unix.Chmod(dir, 0o644); err != nil {
		return err
	}
	return appendFile(filepath.Join(rootfs, script), udhcpcScript, 0o744)
}

// appendFile appends content (creating the file with 0666 minus umask, as a
// shell ">>" does) and then sets mode if it is non-zero.
func appendFile(path, content string, mode uint32) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	_, err = f.WriteString(content)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil && mode != 0 {
		err = unix.Chmod(path, mode)
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// isScriptOption matches the help line of udhcpc's -s option ("-s.*Run
// PROG", as lxc-busybox greps it).
func isScriptOption(line string) bool {
	i := strings.Index(line, "-s")
	return i >= 0 && strings.Contains(line[i:], "Run PROG")
}

// udhcpcScriptPath asks busybox where its udhcpc looks for the event script
// ("-s PROG ... (default /etc/udhcpc/default.script)"), relative to /.
func udhcpcScriptPath(bin string) string {
	out, _ := exec.Command(bin, "udhcpc", "--help").CombinedOutput()
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		line := sc.Text()
		if !isScriptOption(line) {
			continue
		}
		_, rest, ok := strings.Cut(line, "/")
		if !ok {
			break
		}
		rest, _, _ = strings.Cut(rest, ")")
		rest = filepath.Clean("/" + strings.TrimSpace(rest))
		if rest != "/" && !strings.Contains(rest, "..") {
			return rest[1:]
		}
		break
	}
	return defaultUdhcpcScript
}

func installBusybox(rootfs, bin string) error {
	dst := filepath.Join(rootfs, "bin", "busybox")
	if err := storage.CopyFile(bin, dst, true); err != nil {
		return fmt.Errorf("copy busybox to %s: %w", dst, err)
	}
	applets, err := busyboxApplets(bin)
	if err != nil {
		return err
	}
	for _, name := range applets {
		err := os.Symlink("busybox", filepath.Join(rootfs, "bin", name))
		if err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
	}
	if err := os.Link(dst, filepath.Join(rootfs, "sbin", "init")); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := touch(filepath.Join(rootfs, "etc", "fstab")); err != nil {
		return err
	}
	// lxc-busybox runs "chmod +s bin/passwd"; passwd is a symlink, so the
	// setuid/setgid bits land on busybox itself (and its sbin/init link).
	if _, err := os.Lstat(filepath.Join(rootfs, "bin", "passwd")); err == nil {
		var st unix.Stat_t
		if err := unix.Stat(filepath.Join(rootfs, "bin", "passwd"), &st); err != nil {
			return err
		}
		if err := unix.Chmod(filepath.Join(rootfs, "bin", "passwd"), st.Mode&0o7777|unix.S_ISUID|unix.S_ISGID); err != nil {
			return err
		}
	}
	return touch(filepath.Join(rootfs, "etc", "shadow"))
}

// busyboxApplets lists the applets to link in bin/ ("busybox --list", minus
// names containing "busybox").
func busyboxApplets(bin string) ([]string, error) {
	out, err := exec.Command(bin, "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("%s --list: %w", bin, err)
	}
	var applets []string
	for _, name := range strings.Fields(string(out)) {
		if strings.Contains(name, "busybox") || strings.Contains(name, "/") {
			continue
		}
		applets = append(applets, name)
	}
	if len(applets) == 0 {
		return nil, fmt.Errorf("%s --list printed no applets", bin)
	}
	return applets, nil
}

func touch(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o666)
	if err != nil {
		return err
	}
	return f.Close()
}

func appendBusyboxConfig(a Args) error {
	cfg := a.configFile()
	data, err := os.ReadFile(cfg)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	var b strings.Builder
	if !hasLinePrefix(string(data), "lxc.rootfs.path") {
		fmt.Fprintf(&b, "lxc.rootfs.path = %s\n", a.Rootfs)
	}
	fmt.Fprintf(&b, busyboxConfig, a.Name)
	for _, d := range hostLibDirs {
		if isDir("/"+d) && isDir(filepath.Join(a.Rootfs, d)) {
			fmt.Fprintf(&b, "lxc.mount.entry = /%s %s none ro,bind 0 0\n", d, d)
		}
	}
	b.WriteString(securityfsEntry)
	return appendFile(cfg, b.String(), 0)
}

func hasLinePrefix(text, prefix string) bool {
	for _, line := range strings.Split(text, "\n") {
		if strings.HasPrefix(line, prefix) {
			return true
		}
	}
	return false
}

func isDir(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// remapOwnership gives the config to the caller's mapped ids and the rootfs
// to root, as lxc-busybox does for idmapped containers. Like the script, a
// failure to chown the rootfs tree is not fatal.
func remapOwnership(a Args) error {
	cfg := a.configFile()
	rootfs := filepath.Join(a.Path, "rootfs")
	if a.MappedUID >= 0 {
		if err := os.Chown(cfg, a.MappedUID, -1); err != nil {
			return err
		}
		lchownTree(rootfs, 0, -1)
	}
	if a.MappedGID >= 0 {
		if err := os.Chown(cfg, -1, a.MappedGID); err != nil {
			return err
		}
		lchownTree(rootfs, -1, 0)
	}
	return nil
}

func lchownTree(root string, uid, gid int) {
	filepath.WalkDir(root, func(p string, _ fs.DirEntry, err error) error {
		if err == nil {
			os.Lchown(p, uid, gid)
		}
		return nil
	})
}
