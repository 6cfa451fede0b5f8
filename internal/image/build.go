package image

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/storage"
	"github.com/golxc/golxc/internal/templates"
)

// BuildOptions describe one image to add to a server directory.
type BuildOptions struct {
	Dist, Release, Arch, Variant string
	Build                        string        // build id; "" = UTC time of the build
	Expiry                       time.Duration // from now
	// Source: "busybox" (the built-in busybox template), "rootfs:DIR" or
	// "container:NAME" (with LXCPath).
	Source, LXCPath string
	ConfigFile      string    // image config to use instead of the source's
	Message         string    // create-message; "" = a generated one
	Mirror          string    // debootstrap's mirror ("" = the machine's apt mirror)
	Log             io.Writer // debootstrap's output
	// Signer, when set, signs the tarballs before the build is put in
	// place: a serving index lists it at once, signatures included.
	Signer *Signer
}

// HostArch is the host's architecture in the image servers' naming.
func HostArch() string {
	switch runtime.GOARCH {
	case "386":
		return "i386"
	case "arm":
		return "armhf"
	case "ppc64le":
		return "ppc64el"
	}
	return runtime.GOARCH
}

// Build makes DIR/images/DIST/RELEASE/ARCH/VARIANT/BUILD with its rootfs
// and meta tarballs; it returns that directory. The directory is
// assembled under a temporary name and renamed, so a server never sees
// a half image.
func Build(dir string, o BuildOptions) (string, error) {
	if o.Variant == "" {
		o.Variant = DefaultVar
	}
	if o.Arch == "" {
		o.Arch = HostArch()
	}
	if o.Build == "" {
		o.Build = time.Now().UTC().Format("20060102_1504")
	}
	if o.Expiry == 0 {
		o.Expiry = 30 * 24 * time.Hour
	}
	f := Filter{o.Dist, o.Release, o.Arch, o.Variant}
	if err := validParts(f); err != nil {
		return "", err
	}
	parent := filepath.Join(dir, ImagesDir, f.Dist, f.Release, f.Arch, f.Variant)
	final := filepath.Join(parent, o.Build)
	if strings.ContainsAny(o.Build, "/;") || exists(final) {
		return "", fmt.Errorf("build %q: invalid or already in %s (give another --build)", o.Build, parent)
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	work, err := os.MkdirTemp(parent, ".building-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(work)
	rootfs, conf, overrides, release, err := source(o, work)
	if err != nil {
		return "", err
	}
	defer release()
	if o.ConfigFile != "" {
		data, err := os.ReadFile(o.ConfigFile)
		if err != nil {
			return "", err
		}
		conf = string(data)
	}
	out := filepath.Join(work, "out")
	if err := os.Mkdir(out, 0o755); err != nil {
		return "", err
	}
	if err := WriteRootfsTarball(rootfs, filepath.Join(out, RootfsFile), overrides); err != nil {
		return "", fmt.Errorf("archive %s: %w", rootfs, err)
	}
	expiry := strconv.FormatInt(time.Now().Add(o.Expiry).Unix(), 10) + "\n"
	msg := o.Message
	if msg == "" {
		msg = fmt.Sprintf("You just created a %s %s %s (%s) container from golxc's image server.\n", o.Dist, o.Release, o.Arch, o.Variant)
	}
	templatesList := ""
	for _, f := range []string{"etc/hostname", "etc/hosts"} {
		data, err := os.ReadFile(filepath.Join(rootfs, f))
		if v, ok := overrides[f]; ok {
			data, err = []byte(v), nil
		}
		if err == nil && strings.Contains(string(data), "LXC_NAME") {
			templatesList += "/" + f + "\n"
		}
	}
	confUser := conf
	if strings.Contains(conf, "debian.common.conf") {
		confUser += "lxc.include = LXC_TEMPLATE_CONFIG/debian.userns.conf\n"
	}
	meta := map[string]string{
		"config": conf, "config-user": confUser, "expiry": expiry, "create-message": msg,
		"templates": templatesList, "excludes-user": "./dev/*\n",
	}
	if err := WriteFilesTarball(filepath.Join(out, MetaFile), meta); err != nil {
		return "", err
	}
	// The expiry beside the tarballs lets the server drop expired images
	// without unpacking meta.
	if err := os.WriteFile(filepath.Join(out, "expiry"), []byte(expiry), 0o644); err != nil {
		return "", err
	}
	if o.Signer != nil {
		for _, f := range []string{RootfsFile, MetaFile} {
			if err := o.Signer.SignFile(filepath.Join(out, f)); err != nil {
				return "", fmt.Errorf("sign %s: %w", f, err)
			}
		}
	}
	if err := os.Rename(out, final); err != nil {
		return "", err
	}
	return final, nil
}

// source prepares the rootfs to archive, the image's config text and
// the files whose content the archive replaces (a source container's
// name made LXC_NAME).
// release undoes what preparing the source did (a mounted rootfs).
func source(o BuildOptions, work string) (rootfs, conf string, overrides map[string]string, release func(), err error) {
	none := func() {}
	switch {
	case o.Source == "" || o.Source == "busybox":
		rootfs, conf, err := busyboxSource(work)
		return rootfs, conf, nil, none, err
	case strings.HasPrefix(o.Source, "rootfs:"):
		rootfs = strings.TrimPrefix(o.Source, "rootfs:")
		if st, err := os.Stat(rootfs); err != nil || !st.IsDir() {
			return "", "", nil, none, fmt.Errorf("--from %s: not a directory", o.Source)
		}
		return rootfs, "lxc.include = LXC_TEMPLATE_CONFIG/common.conf\nlxc.arch = " + o.Arch + "\n", nil, none, nil
	case strings.HasPrefix(o.Source, "container:"):
		return containerSource(strings.TrimPrefix(o.Source, "container:"), o.LXCPath)
	case o.Source == "debootstrap":
		log := o.Log
		if log == nil {
			log = io.Discard
		}
		rootfs, conf, err := debootstrapSource(o.Release, o.Arch, o.Mirror, log, work)
		return rootfs, conf, nil, none, err
	}
	return "", "", nil, none, fmt.Errorf("--from %q: use busybox, debootstrap, rootfs:DIR or container:NAME", o.Source)
}

// busyboxSource runs the built-in busybox template into work/rootfs, as
// a container named LXC_NAME (rendered by the client), with a templated
// /etc/hostname.
func busyboxSource(work string) (string, string, error) {
	rootfs := filepath.Join(work, "rootfs")
	cfg := filepath.Join(work, "config")
	if err := os.Mkdir(rootfs, 0o755); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(cfg, []byte("lxc.rootfs.path = dir:"+rootfs+"\n"), 0o644); err != nil {
		return "", "", err
	}
	a := templates.Args{Path: work, Name: "LXC_NAME", Rootfs: rootfs, ConfigFile: cfg, MappedUID: -1, MappedGID: -1}
	if err := templates.Busybox(a); err != nil {
		return "", "", err
	}
	if err := os.WriteFile(filepath.Join(rootfs, "etc/hostname"), []byte("LXC_NAME\n"), 0o644); err != nil {
		return "", "", err
	}
	data, err := os.ReadFile(cfg)
	if err != nil {
		return "", "", err
	}
	return rootfs, dropHostLibBinds(imageConfig(templatePath(string(data), work))), nil
}

// dropHostLibBinds removes the busybox template's binds of this host's
// library directories: the image's busybox is static, and the hosts
// that use the image may lack those directories.
func dropHostLibBinds(conf string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(conf, "\n") {
		f := strings.Fields(l)
		if len(f) == 8 && f[0] == "lxc.mount.entry" && strings.TrimPrefix(f[2], "/") == f[3] && f[5] == "ro,bind" {
			continue
		}
		b.WriteString(l)
	}
	return b.String()
}

// containerSource uses an existing container's rootfs and config. A
// rootfs that is not a plain directory (an overlay snapshot, a loop
// file) is mounted on a directory of its own, outside
// the build's work directory, so that removing that can never reach it.
func containerSource(name, lxcpath string) (string, string, map[string]string, func(), error) {
	none := func() {}
	if lxcpath == "" {
		lxcpath = config.DefaultLXCPath()
	}
	dir := filepath.Join(lxcpath, name)
	c := config.New()
	if err := c.Load(filepath.Join(dir, "config")); err != nil {
		return "", "", nil, none, fmt.Errorf("--from container:%s: %w (give its lxcpath with -P)", name, err)
	}
	// The spec keeps the storage type the plain value leaves out.
	spec, err := c.Spec()
	if err != nil {
		return "", "", nil, none, fmt.Errorf("--from container:%s: %w", name, err)
	}
	raw := spec.Rootfs.Raw
	if raw == "" {
		return "", "", nil, none, fmt.Errorf("--from container:%s: %s has no lxc.rootfs.path", name, filepath.Join(dir, "config"))
	}
	rootfs, release, err := sourceRootfs(storage.Parse(raw))
	if err != nil {
		return "", "", nil, none, fmt.Errorf("--from container:%s: %w", name, err)
	}
	data, err := os.ReadFile(filepath.Join(dir, "config"))
	if err != nil {
		release()
		return "", "", nil, none, err
	}
	overrides := map[string]string{}
	for _, f := range []string{"etc/hostname", "etc/hosts"} {
		if b, err := os.ReadFile(filepath.Join(rootfs, f)); err == nil {
			if t := templateName(string(b), name); t != string(b) {
				overrides[f] = t
			}
		}
	}
	return rootfs, imageConfig(templatePath(string(data), dir)), overrides, release, nil
}

// sourceRootfs is the directory a source container's files are read
// from: its rootfs directory, or its storage mounted on a fresh one.
func sourceRootfs(r storage.Rootfs) (string, func(), error) {
	if r.Type == "dir" || r.Type == "btrfs" {
		return r.Path, func() {}, nil
	}
	mnt, err := os.MkdirTemp("", "golxc-image-source-")
	if err != nil {
		return "", nil, err
	}
	unmount, err := storage.MountAt(r, mnt)
	if err != nil {
		os.Remove(mnt)
		return "", nil, fmt.Errorf("mount its rootfs %s: %w", r.Raw, err)
	}
	return mnt, func() {
		unmount()
		os.Remove(mnt) // not RemoveAll: if the unmount failed, the files stay
	}, nil
}

// imageConfig keeps what belongs to the distribution: no rootfs path,
// name, network or fstab of the source, no comments.
func imageConfig(text string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		t := strings.TrimSpace(l)
		key, _, _ := strings.Cut(t, "=")
		key = strings.TrimSpace(key)
		if t == "" || strings.HasPrefix(t, "#") || key == "lxc.rootfs.path" || key == "lxc.uts.name" ||
			strings.HasPrefix(key, "lxc.net.") || strings.HasPrefix(key, "lxc.network") || key == "lxc.mount.fstab" || key == "lxc.utsname" || key == "lxc.rootfs" {
			continue
		}
		b.WriteString(l + "\n")
	}
	return b.String()
}
