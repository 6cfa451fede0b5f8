package lxc

import (
	"encoding/hex"
	"errors"
	"fmt"
	"golang.org/x/sys/unix"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
)

// SandboxOptions describe a zero-configuration sandbox (lxc-sandbox, after
// Fatdog64's sandbox-lxc.sh): the host's root filesystem, under optional
// read-only layers, under a writable layer, run as a volatile container.
// These names are golxc's own: LXC has no sandbox.
type SandboxOptions struct {
	// Command runs inside; its exit status is Sandbox's. Empty: /bin/sh.
	Command []string
	// RWDir keeps the changes (DIR/upper, overlayfs's DIR/work) and finds
	// them again next time. Empty: changes go to a tmpfs that vanishes.
	RWDir string
	// Layers are directories or squashfs files laid read-only over the
	// host's root, each over the ones before it.
	Layers []string
	// Desktop maps the host's /tmp (X11 socket), $XDG_RUNTIME_DIR (Wayland,
	// PulseAudio) and $XAUTHORITY in, and passes DISPLAY and the like.
	Desktop bool
	// IDMap runs the sandbox in a user namespace: its root is host uid and
	// gid 10000, every id shifted by 10000.
	IDMap bool
	// Net gives the sandbox a veth on Bridge (lxcbr0 when empty) with
	// address IPv4 ("ADDR/PREFIX"; empty: a free one of the bridge's
	// subnet). Without it the sandbox has its own network namespace with
	// lo only.
	Net    bool
	Bridge string
	IPv4   string
	// Name makes the sandbox container NAME of LXCPath (the default
	// lxcpath when empty), which the other tools see (lxc-ls, lxc-info,
	// lxc-attach) while it runs; its hostname is NAME. Without a name it
	// is "sandbox-XXXXXX" in a private lxcpath, with hostname "sandbox".
	Name    string
	LXCPath string
	// Keep leaves the sandbox running in the background: Sandbox returns
	// once it runs; it ends with its command or lxc-stop, and then nothing
	// of it is left. Needs Name.
	Keep bool
	// Strict drops more capabilities (LXC's common.conf list).
	Strict bool
	// Env adds KEY=VALUE to the command's environment.
	Env []string
	// Cwd is where the command starts when the sandbox shows it: a
	// directory of the host's root filesystem (other filesystems are not
	// in the overlay), not with IDMap (the host's ids are unmapped there).
	// Otherwise, and when empty, the command starts in /.
	Cwd string

	LogFile  string
	LogLevel string
	Quiet    bool
	// ProcessExitsAfter: the caller exits once Sandbox returns (the
	// lxc-sandbox tool; StartOptions.ProcessExitsAfter).
	ProcessExitsAfter bool
}

// sandboxUIDShift is the seed's IDMAP shift: container root is host 10000.
const sandboxUIDShift = 10000

// sandbox is one run: its runtime directory holds every mount point and
// the state the guard needs to clean up after a killed lxc-sandbox.
type sandbox struct {
	o       SandboxOptions
	id      string
	dir     string // RUNDIR/golxc/sandbox/ID
	name    string
	lxcpath string
	named   bool
	upper   string
	work    string
	// user: a plain user's sandbox (sandbox_user.go), its id map.
	user bool
	maps []config.IDMap
	// tmpfsDir: dir is a tmpfs mounted for this sandbox (mountRuntimeTmpfs).
	tmpfsDir bool
	// monitorDone: this process's foreground monitor returned without
	// error, its teardown done; cleanup sweeps no dead monitor's leftovers.
	monitorDone bool
	// guardRemovesDir: the guard removes the runtime directory once it
	// reads "done" (cleanup leaves an emptied tmpfs mount point to it).
	guardRemovesDir bool
	// unifiedCgroups: root's unnamed sandbox on a host with a cgroup2
	// hierarchy has its cgroups there only (unifiedCgroupsFor).
	unifiedCgroups bool
}

// Sandbox runs o.Command in a new sandbox and returns its exit status
// (128+N when killed by signal N). With Keep it returns 0 once the
// sandbox runs. Whatever happens, the sandbox's mounts, cgroups, veth and
// directories are removed when it ends, also when the calling process is
// killed (a small guard process cleans up after it).
func Sandbox(o SandboxOptions) (int, error) {
	var maps []config.IDMap
	if os.Geteuid() != 0 {
		if err := userRefusal(o); err != nil {
			return 1, err
		}
		var err error
		if maps, err = userMaps(); err != nil {
			return 1, err
		}
	}
	sweepStaleSandboxes()
	sb, err := newSandbox(o)
	if err != nil {
		return 1, err
	}
	sb.user, sb.maps = maps != nil, maps
	sb.unifiedCgroups = unifiedCgroupsFor(sb)
	g, err := sb.startGuard()
	if err != nil {
		_ = sb.cleanup()
		return 1, err
	}
	log.Tracef("Started the guard of sandbox %s (%s)", sb.name, sb.dir)
	status, err := sb.run(g)
	cleaned := false
	if !o.Keep || err != nil {
		// A foreground monitor that returned without error has torn
		// the container down itself: nothing of it to sweep.
		sb.monitorDone = err == nil && !o.Keep
		sb.guardRemovesDir = true
		cerr := sb.cleanup()
		if cerr != nil && err == nil {
			err = cerr
		}
		cleaned = cerr == nil
		log.Tracef("Removed sandbox %s (%s)", sb.name, sb.dir)
	}
	g.release(cleaned)
	return status, err
}

func newSandbox(o SandboxOptions) (*sandbox, error) {
	if o.Keep && o.Name == "" {
		return nil, errors.New("--keep needs --name: a sandbox left running is found by its name")
	}
	if len(o.Command) == 0 {
		o.Command = []string{"/bin/sh"}
	}
	if o.Bridge == "" {
		o.Bridge = "lxcbr0"
	}
	for _, l := range o.Layers {
		if err := overlayPathOK(l); err != nil {
			return nil, fmt.Errorf("--layer %s: %v", l, err)
		}
	}
	if o.RWDir != "" {
		abs, err := filepath.Abs(o.RWDir)
		if err != nil {
			return nil, fmt.Errorf("--rw %s: %v", o.RWDir, err)
		}
		o.RWDir = abs
		if err := overlayPathOK(abs); err != nil {
			return nil, fmt.Errorf("--rw %s: %v", o.RWDir, err)
		}
	}
	id, err := randomHex(6)
	if err != nil {
		return nil, err
	}
	sb := &sandbox{o: o, id: id, dir: filepath.Join(sandboxTop(), id)}
	if o.Name != "" {
		if err := ValidateName(o.Name); err != nil {
			return nil, fmt.Errorf("--name %q: %v", o.Name, err)
		}
		sb.name, sb.named = o.Name, true
		sb.lxcpath = config.DefaultLXCPath()
		if o.LXCPath != "" {
			abs, err := filepath.Abs(o.LXCPath)
			if err != nil {
				return nil, fmt.Errorf("lxcpath %s: %v", o.LXCPath, err)
			}
			sb.lxcpath = abs
		}
		if _, err := os.Lstat(filepath.Join(sb.lxcpath, sb.name)); err == nil {
			return nil, fmt.Errorf("a container named %q already exists in %s: pick another --name", sb.name, sb.lxcpath)
		}
	} else {
		// One lxcpath for all of them: their lock and records are
		// files of directories that stay, not directories of their
		// own made and removed on every run.
		sb.name, sb.lxcpath = "sandbox-"+id, sandboxTop()
	}
	if err := os.MkdirAll(filepath.Dir(sb.dir), 0o711); err != nil {
		return nil, fmt.Errorf("sandbox runtime directory: %v", err)
	}
	// 0711: a user-namespaced sandbox's root must reach its rootfs below.
	if err := os.Mkdir(sb.dir, 0o711); err != nil {
		return nil, fmt.Errorf("sandbox runtime directory: %v", err)
	}
	sb.mountRuntimeTmpfs()
	return sb, nil
}

// mountRuntimeTmpfs puts root's sandbox runtime directory on a tmpfs of
// its own, which also holds the writable layer without --rw: what the
// sandbox makes there (mount points, its configuration, the guard's
// state) then never touches the disk, wherever RUNDIR is. A /run on a
// disk filesystem mounted with discard (seen on VMs without systemd)
// took 0.3-0.5 ms for each directory removed, a third of a throw-away
// sandbox's run. cleanup unmounts it with the rest; without it (a plain
// user, or the mount fails) the directory is used as it is.
func (sb *sandbox) mountRuntimeTmpfs() {
	if os.Geteuid() != 0 {
		return
	}
	if err := unix.Mount("tmpfs", sb.dir, "tmpfs", unix.MS_NODEV, "mode=0711"); err != nil {
		log.Debugf("Sandbox runtime directory %s stays on its filesystem (tmpfs: %v)", sb.dir, err)
		return
	}
	sb.tmpfsDir = true
}

// overlayPathOK refuses what overlayfs's option string cannot carry.
func overlayPathOK(p string) error {
	if strings.ContainsAny(p, ":,\n") {
		return errors.New("the path must not contain ':', ',' or a newline (overlayfs options)")
	}
	return nil
}

func randomHex(n int) (string, error) {
	b := make([]byte, n/2)
	if _, err := unix.Getrandom(b, 0); err != nil {
		return "", fmt.Errorf("sandbox id: %v", err)
	}
	return hex.EncodeToString(b), nil
}

func (sb *sandbox) path(parts ...string) string {
	return filepath.Join(append([]string{sb.dir}, parts...)...)
}

// run mounts the layers, writes the configuration and runs the container
// through the normal start path (foreground execute, or a daemon with Keep).
func (sb *sandbox) run(g *sandboxGuard) (int, error) {
	hook := ""
	if sb.user {
		var err error
		if hook, err = sb.prepareUserRoot(); err != nil {
			return 1, err
		}
	} else if err := sb.mountRoot(); err != nil {
		return 1, err
	} else {
		log.Tracef("Mounted the sandbox's root %s: the host's / under %d layers under a writable layer", sb.path("root"), len(sb.o.Layers))
	}
	conf, err := sb.config(hook)
	if err != nil {
		return 1, err
	}
	// Not "config": lxc-ls -P RUNDIR/golxc-sandbox would list the
	// runtime directory as a container.
	cfgFile := sb.path("sandbox.conf")
	if sb.named {
		cfgFile = filepath.Join(sb.lxcpath, sb.name, "config")
		// A user's lxcpath (~/.local/share/lxc) may not exist yet.
		if err := os.MkdirAll(sb.lxcpath, 0o755); err != nil {
			return 1, fmt.Errorf("sandbox %s: lxcpath: %v", sb.name, err)
		}
		if err := os.Mkdir(filepath.Dir(cfgFile), 0o755); err != nil {
			return 1, fmt.Errorf("sandbox %s: %v", sb.name, err)
		}
	}
	if err := os.WriteFile(cfgFile, []byte(conf), 0o644); err != nil {
		return 1, fmt.Errorf("sandbox configuration: %v", err)
	}
	c, err := NewContainer(sb.name, sb.lxcpath)
	if err != nil {
		return 1, err
	}
	c.WantDaemonize(sb.o.Keep)
	// Execute: an execute monitor stays the Go process it is (it never
	// hibernates into another image), so in the foreground the guard's
	// pipe closes only when this process ends.
	so := StartOptions{Command: sb.o.Command, Execute: true, UID: -1, GID: -1,
		LogFile: sb.o.LogFile, LogLevel: sb.o.LogLevel, Quiet: sb.o.Quiet,
		noMonitorCgroup: !sb.named, unifiedCgroupOnly: sb.unifiedCgroups,
		ProcessExitsAfter: sb.o.ProcessExitsAfter}
	if !sb.named {
		so.RCFile = cfgFile
	}
	if sb.o.Keep {
		so.PidFile = sb.path("monitor.pid")
	}
	status, err := c.StartWith(so)
	if err != nil {
		return status, err
	}
	if sb.o.Keep {
		b, rerr := os.ReadFile(so.PidFile)
		pid, perr := strconv.Atoi(strings.TrimSpace(string(b)))
		if rerr != nil || perr != nil {
			return 1, fmt.Errorf("sandbox %s runs but its monitor pid is unknown (%s): stop it with lxc-stop -n %s", sb.name, so.PidFile, sb.name)
		}
		g.watch(pid)
		return 0, nil
	}
	return status, nil
}

// sandboxTop holds one runtime directory per sandbox (RUNDIR is the
// caller's: /run for root) and is the lxcpath of the unnamed ones (their
// container directories are never made: lxc-ls lists none of them). Not
// below RUNDIR/golxc, which is 0700: a
// user-namespaced sandbox's root (host uid 10000) must reach its rootfs
// mount.
func sandboxTop() string { return filepath.Join(config.RuntimeDir(), "golxc-sandbox") }
