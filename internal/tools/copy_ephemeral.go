package tools

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/lxc"
)

// copyMount is one -m bind=SRC[:DST][:ro|rw] or overlay=SRC[:DST].
type copyMount struct {
	overlay   bool
	src, dest string // src absolute, dest relative to the rootfs
	options   string // bind: rw or ro
}

// parseCopyMounts reads one -m value: comma-separated bind=... and
// overlay=... items (other keys are ignored, as LXC's getsubopt loop does).
func parseCopyMounts(v string) ([]copyMount, error) {
	var out []copyMount
	for _, item := range strings.Split(v, ",") {
		key, val, _ := strings.Cut(item, "=")
		if key != "bind" && key != "overlay" {
			continue
		}
		parts := strings.FieldsFunc(val, func(r rune) bool { return r == ':' })
		if len(parts) == 0 {
			return nil, fmt.Errorf("-m %s: a source directory is needed, e.g. %s=/src:/dst", item, key)
		}
		m := copyMount{overlay: key == "overlay", src: normalizePath(parts[0], true)}
		switch {
		case len(parts) == 1:
			m.dest = normalizePath(parts[0], false)
		case len(parts) == 2 && !m.overlay && (strings.HasPrefix("rw", parts[1]) || strings.HasPrefix("ro", parts[1])):
			m.options = "rw"
			if strings.HasPrefix("ro", parts[1]) {
				m.options = "ro"
			}
			m.dest = normalizePath(parts[0], false)
		case len(parts) == 2:
			m.dest = normalizePath(parts[1], false)
		case len(parts) == 3 && !m.overlay:
			m.dest, m.options = normalizePath(parts[1], false), parts[2]
		default:
			return nil, fmt.Errorf("-m %s: excess elements in mount specification (use %s=/src[:/dst]%s)", item, key, map[bool]string{false: "[:ro|rw]", true: ""}[m.overlay])
		}
		if !m.overlay {
			if m.options == "" {
				m.options = "rw"
			}
			if !strings.HasPrefix("rw", m.options) && !strings.HasPrefix("ro", m.options) {
				return nil, fmt.Errorf("-m %s: mount option %q is neither ro nor rw", item, m.options)
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// normalizePath resolves "." and ".." and drops empty components; as a
// prefix it is absolute, else relative (a target inside the rootfs).
func normalizePath(p string, prefix bool) string {
	var parts []string
	for _, c := range strings.Split(p, "/") {
		switch {
		case c == "" || c == ".":
		case c == "..":
			if len(parts) > 0 {
				parts = parts[:len(parts)-1]
			}
		default:
			parts = append(parts, c)
		}
	}
	s := strings.Join(parts, "/")
	if prefix {
		return "/" + s
	}
	return s
}

// entry is the lxc.mount.entry of m; overlays get fresh upper and work
// directories in the clone's directory.
func (m copyMount) entry(dir string) (string, error) {
	if m.overlay {
		upper, err := mkdtemp(dir, "delta#")
		if err != nil {
			return "", err
		}
		work, err := mkdtemp(dir, "work#")
		if err != nil {
			return "", err
		}
		return fmt.Sprintf("%s %s overlay lowerdir=%s,upperdir=%s,workdir=%s,create=dir", m.src, m.dest, m.src, upper, work), nil
	}
	create := "create=file"
	if st, err := os.Stat(m.src); err == nil && st.IsDir() {
		create = "create=dir"
	}
	return fmt.Sprintf("%s %s none bind,optional,%s,%s 0 0", m.src, m.dest, m.options, create), nil
}

// ephemeral is lxc-copy -e: a snapshot clone marked lxc.ephemeral (unless
// -D), started, and, with a command, run and shut down.
func (o *copyOpts) ephemeral(c *cli.Ctx, ct *lxc.Container, opts lxc.CloneOptions) int {
	madeName := false
	if o.newName == "" {
		name, err := randomName(o.newPath, c.Name)
		if err != nil {
			c.Errorf("Failed to make a name for the ephemeral clone in %s: %v", o.newPath, err)
			return 1
		}
		o.newName, madeName = name, true
	}
	if err := ct.Clone(o.newName, opts); err != nil {
		if madeName {
			os.Remove(filepath.Join(o.newPath, o.newName))
		}
		c.Errorf("Failed to clone %s to %s: %v", c.Name, o.newName, err)
		return 1
	}
	clone, err := lxc.NewContainer(o.newName, o.newPath)
	if err != nil {
		return c.Fail(err)
	}
	started := false
	fail := func(err error) int {
		if started {
			clone.Shutdown(-1)
		}
		if !o.keepData && clone.Defined() {
			clone.Destroy()
		}
		c.Errorf("Ephemeral clone %s of %s: %v", o.newName, c.Name, err)
		return 1
	}
	if err := o.configureEphemeral(clone); err != nil {
		return fail(err)
	}
	if !c.Quiet {
		fmt.Fprintf(c.Stdout, "Created %s as clone of %s\n", o.newName, c.Name)
		if o.tmpfs {
			fmt.Fprintf(c.Stdout, "Container is placed on tmpfs.\nRebooting will cause all changes made to it to be lost!\n")
		}
	}
	daemon := !o.foreground || len(c.Args) > 0
	clone.WantDaemonize(daemon)
	if _, err := clone.StartWith(lxc.StartOptions{LogFile: c.LogFile, LogLevel: c.LogPriority, Quiet: c.Quiet, UID: -1, GID: -1}); err != nil {
		return fail(err)
	}
	started = true
	if daemon && len(c.Args) > 0 {
		a := lxc.DefaultAttachOptions
		a.ClearEnv = true
		a.StdinFd, a.StdoutFd, a.StderrFd = os.Stdin.Fd(), os.Stdout.Fd(), os.Stderr.Fd()
		if _, err := clone.RunCommandStatus(c.Args, a); err != nil {
			return fail(err)
		}
		if err := clone.Shutdown(-1); err != nil && !errors.Is(err, lxc.ErrNotRunning) {
			c.Errorf("Shutting down %s: %v", o.newName, err)
		}
	}
	return 0
}

// configureEphemeral adds what -t, -D and -m ask for to the clone's
// config.
func (o *copyOpts) configureEphemeral(clone *lxc.Container) error {
	if o.tmpfs {
		script, err := writeTmpfsPremount(clone.Dir(), o.keepName, o.newName)
		if err != nil {
			return err
		}
		if err := clone.SetConfigItem("lxc.hook.pre-mount", script); err != nil {
			return err
		}
	}
	if !o.keepData {
		if err := clone.SetConfigItem("lxc.ephemeral", "1"); err != nil {
			return err
		}
	}
	for _, m := range o.mounts {
		e, err := m.entry(clone.Dir())
		if err != nil {
			return err
		}
		if err := clone.SetConfigItem("lxc.mount.entry", e); err != nil {
			return err
		}
	}
	return clone.SaveConfigFile("")
}

// writeTmpfsPremount writes the pre-mount hook that puts the clone's
// overlay directory on a tmpfs (in the container's mount namespace, so it
// goes with the container) and recreates what the clone wrote there.
func writeTmpfsPremount(dir string, keepName bool, name string) (string, error) {
	f, err := os.CreateTemp(dir, "pre-start-")
	if err != nil {
		return "", err
	}
	ovl := filepath.Join(dir, "overlay")
	s := "#! /bin/sh\nmount -n -t tmpfs -o mode=0755 none " + ovl + "\n" +
		"mkdir -p " + ovl + "/delta " + ovl + "/work\n"
	if !keepName {
		s += "mkdir -p " + ovl + "/delta/etc\necho " + name + " > " + ovl + "/delta/etc/hostname\n"
	}
	_, err = f.WriteString(s)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o755)
	}
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}
