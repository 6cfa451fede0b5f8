package lxc

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/idmap"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/selfexe"
)

// A plain user's sandbox runs in a user namespace of golxc's unprivileged
// containers. Its root is the user (uid and gid), ids 1 to 65535 are the
// user's first subordinate range: what root makes inside, in a --rw DIR
// too, belongs to the user on the host (who can read and remove it), and
// the user's own files show as root's inside. Host files of other ids
// (host root's) show as nobody: readable as their modes say, never
// writable, not even in the throw-away layer, as in any user namespace.
//
// A user cannot mount on the host, and overlayfs in a user namespace
// refuses the host's / as a lower layer (it has mounts below it that the
// namespace cannot unlock). So a pre-mount hook, run by the container
// start as root of the namespace in the container's mount namespace,
// builds the root there: a tmpfs holding one overlay per top-level
// directory of the host's / (lower: the directory, under the layers;
// upper: a tmpfs, or --rw DIR) and the top-level symbolic links. Every
// mount lives in that mount namespace, so nothing is left on the host
// whatever happens to lxc-sandbox.

// sandboxUserRange is how many subordinate ids the sandbox maps (1 to
// 65535 inside), as the seed's 65536-id map less root.
const sandboxUserRange = 65535

// userRootFile holds what the pre-mount hook builds the root from.
const userRootFile = "userroot.json"

// userRoot is the pre-mount hook's plan.
type userRoot struct {
	ID     string
	Upper  string   // overlay upper trees: DIR/upper/TOP ("" a tmpfs)
	Work   string   // overlayfs work directories: DIR/work/TOP
	Layers []string // directory layers, bottom first
}

// sandboxUserMaps is the user's sandbox id map: root is the user, 1 to
// N the first subordinate range (N at most sandboxUserRange). Without a
// range on either side the error says how to delegate one.
func sandboxUserMaps(name string, uid, gid uint32, subuid, subgid []idmap.Range) ([]config.IDMap, error) {
	if len(subuid) == 0 || len(subgid) == 0 {
		return nil, fmt.Errorf("a sandbox of %s needs subordinate ids (/etc/subuid and /etc/subgid have no range of %s): as root run: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 %s (a range no other user has)", name, name, name)
	}
	maps := []config.IDMap{{Type: 'u', NSID: 0, HostID: uid, Range: 1}}
	maps = append(maps, config.IDMap{Type: 'u', NSID: 1, HostID: uint32(subuid[0].Start), Range: uint32(min(subuid[0].Count, sandboxUserRange))})
	maps = append(maps, config.IDMap{Type: 'g', NSID: 0, HostID: gid, Range: 1})
	maps = append(maps, config.IDMap{Type: 'g', NSID: 1, HostID: uint32(subgid[0].Start), Range: uint32(min(subgid[0].Count, sandboxUserRange))})
	return maps, nil
}

// userMaps reads the caller's ranges and makes the sandbox's map.
func userMaps() ([]config.IDMap, error) {
	uid, gid := uint32(os.Geteuid()), uint32(os.Getegid())
	name := strconv.FormatUint(uint64(uid), 10)
	if u, err := user.LookupId(name); err == nil {
		name = u.Username
	}
	subuid, err := idmap.ReadSubIDs(idmap.SubUIDFile, name, uid)
	if err != nil {
		return nil, err
	}
	subgid, err := idmap.ReadSubIDs(idmap.SubGIDFile, name, uid)
	if err != nil {
		return nil, err
	}
	return sandboxUserMaps(name, uid, gid, subuid, subgid)
}

// userRefusal says which option a user's sandbox cannot have (nil: none).
func userRefusal(o SandboxOptions) error {
	if o.IDMap {
		return errors.New("--idmap is root's: a user's sandbox always runs in a user namespace (its root is you, ids 1-65535 your subordinate range); drop --idmap")
	}
	for _, l := range o.Layers {
		st, err := os.Stat(l)
		if err == nil && !st.IsDir() {
			return fmt.Errorf("--layer %s: a user cannot mount a squashfs image (the kernel allows it to root only): unpack it (unsquashfs -d DIR %s) and give --layer DIR", l, l)
		}
	}
	return nil
}

// prepareUserRoot makes, as the user, the directories the hook mounts on
// and writes its plan; it returns the hook's configuration value.
func (sb *sandbox) prepareUserRoot() (string, error) {
	for _, d := range []string{"root", "mnt", "layers", "upper", "empty"} {
		if err := os.Mkdir(sb.path(d), 0o711); err != nil {
			return "", fmt.Errorf("sandbox runtime directory: %v", err)
		}
	}
	ur := userRoot{ID: sb.id}
	if sb.o.RWDir != "" {
		ur.Upper, ur.Work = filepath.Join(sb.o.RWDir, "upper"), filepath.Join(sb.o.RWDir, "work")
		for _, d := range []string{sb.o.RWDir, ur.Upper, ur.Work} {
			if err := os.MkdirAll(d, 0o755); err != nil {
				return "", fmt.Errorf("--rw %s: %v", sb.o.RWDir, err)
			}
		}
	}
	for i, l := range sb.o.Layers {
		abs, err := filepath.Abs(l)
		if err != nil {
			return "", fmt.Errorf("--layer %s: %v", l, err)
		}
		if st, err := os.Stat(abs); err != nil {
			return "", fmt.Errorf("--layer %s: %v", l, unwrapPath(err))
		} else if !st.IsDir() {
			return "", fmt.Errorf("--layer %s: not a directory", l)
		}
		if err := os.Mkdir(sb.path("layers", strconv.Itoa(i)), 0o711); err != nil {
			return "", fmt.Errorf("--layer %s: %v", l, err)
		}
		ur.Layers = append(ur.Layers, abs)
	}
	b, err := json.Marshal(ur)
	if err == nil {
		err = os.WriteFile(sb.path(userRootFile), b, 0o644)
	}
	if err != nil {
		return "", fmt.Errorf("sandbox root plan: %v", err)
	}
	bin, err := selfexe.Find()
	if err != nil {
		return "", err
	}
	if bin.Self {
		// The hook runs from a shell: /proc/self/exe would be that's.
		if bin.Path, err = os.Executable(); err != nil {
			return "", fmt.Errorf("the golxc binary's path: %v", err)
		}
		if p, err := filepath.EvalSymlinks(bin.Path); err == nil {
			bin.Path = p
		}
	}
	if strings.ContainsAny(bin.Path, " \t\n'\"\\$`") {
		return "", fmt.Errorf("the golxc binary's path %q has characters a hook command cannot carry: install it under a plain path", bin.Path)
	}
	return bin.Path + " lxc-sandbox", nil
}

// RunSandboxHookIfRequested is the body of a user's sandbox's pre-mount
// hook (argv "lxc-sandbox NAME lxc pre-mount", with LXC_ROOTFS_PATH the
// sandbox's root): it builds the root and exits. Otherwise it returns.
func RunSandboxHookIfRequested(argv []string) {
	root := os.Getenv("LXC_ROOTFS_PATH")
	if len(argv) != 4 || argv[2] != "lxc" || argv[3] != "pre-mount" || root == "" {
		return
	}
	dir := filepath.Dir(root)
	if err := buildUserRoot(dir); err != nil {
		fmt.Fprintf(os.Stderr, "lxc-sandbox: building the sandbox's root: %v\n", err)
		os.Exit(1)
	}
	os.Exit(0)
}

func buildUserRoot(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, userRootFile))
	if err != nil {
		return err
	}
	var ur userRoot
	if err := json.Unmarshal(b, &ur); err != nil {
		return fmt.Errorf("%s: %v", userRootFile, err)
	}
	if filepath.Base(dir) != ur.ID || !isSandboxID(ur.ID) {
		return fmt.Errorf("%s is not the plan of sandbox %s", userRootFile, filepath.Base(dir))
	}
	sb := &sandbox{id: ur.ID, dir: dir}
	if ur.Upper == "" {
		t := sb.path("upper")
		if err := unix.Mount("tmpfs", t, "tmpfs", unix.MS_NODEV, "mode=0755"); err != nil {
			return fmt.Errorf("mounting the writable tmpfs on %s: %v", t, err)
		}
		ur.Upper, ur.Work = filepath.Join(t, "upper"), filepath.Join(t, "work")
		for _, d := range []string{ur.Upper, ur.Work} {
			if err := os.Mkdir(d, 0o755); err != nil {
				return err
			}
		}
	}
	var layers []string
	for i, l := range ur.Layers {
		mnt := sb.path("layers", strconv.Itoa(i))
		if err := sb.mountDirLayer(l, l, mnt); err != nil {
			return err
		}
		layers = append([]string{mnt}, layers...) // later layers on top
	}
	root := sb.path("root")
	if err := unix.Mount("tmpfs", root, "tmpfs", unix.MS_NODEV, "mode=0755"); err != nil {
		return fmt.Errorf("mounting the root tmpfs on %s: %v", root, err)
	}
	ents, err := os.ReadDir("/")
	if err != nil {
		return err
	}
	for _, e := range ents {
		if err := overlayTop(e.Name(), root, ur, layers); err != nil {
			return err
		}
	}
	log.Debugf("Built the sandbox's root in %s from the host's / under %d layers", root, len(layers))
	return nil
}

// sandboxOwnTops are the top-level directories the container mounts
// itself (proc, sys, autodev's /dev): empty directories in the root.
var sandboxOwnTops = map[string]bool{"proc": true, "sys": true, "dev": true}

// overlayTop puts the host's /NAME into root: a symbolic link as it is,
// a directory as an overlay of it (under the layers' NAME) over
// upper/NAME. A directory overlayfs refuses (mounts below it the user
// namespace cannot unlock, as a /run with tmpfs mounts) stays empty.
func overlayTop(name, root string, ur userRoot, layers []string) error {
	host := "/" + name
	st, err := os.Lstat(host)
	if err != nil {
		return nil // gone meanwhile
	}
	dst := filepath.Join(root, name)
	switch {
	case st.Mode()&os.ModeSymlink != 0:
		target, err := os.Readlink(host)
		if err != nil {
			return nil
		}
		return os.Symlink(target, dst)
	case !st.IsDir():
		return nil
	}
	perm := st.Mode().Perm() | st.Mode()&(os.ModeSticky|os.ModeSetgid)
	if err := os.Mkdir(dst, 0o755); err != nil {
		return err
	}
	if err := os.Chmod(dst, perm); err != nil {
		return err
	}
	if sandboxOwnTops[name] || strings.ContainsAny(name, ":,\\\n") {
		return nil
	}
	upper, work := filepath.Join(ur.Upper, name), filepath.Join(ur.Work, name)
	for _, d := range []string{upper, work} {
		if err := os.Mkdir(d, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s: %v", d, err)
		}
	}
	// The overlay's root shows the upper directory: give it the host's
	// mode (a sticky /tmp stays one).
	if err := os.Chmod(upper, perm); err != nil {
		return err
	}
	var lower []string
	for _, l := range layers {
		if isDir(filepath.Join(l, name)) {
			lower = append(lower, filepath.Join(l, name))
		}
	}
	lower = append(lower, host)
	opts := fmt.Sprintf("userxattr,lowerdir=%s,upperdir=%s,workdir=%s", strings.Join(lower, ":"), upper, work)
	if err := unix.Mount("overlay", dst, "overlay", 0, opts); err != nil {
		log.Debugf("Left /%s empty in the sandbox: overlay (%s): %v", name, opts, err)
	}
	return nil
}
