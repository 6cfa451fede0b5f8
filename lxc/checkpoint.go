package lxc

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/criu"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/monitor"
)

// CheckpointOptions are go-lxc's, plus LXC's migrate options that
// lxc-checkpoint exposes (-p, --predump-dir, -A).
type CheckpointOptions struct {
	Directory    string
	Stop         bool
	Verbose      bool
	PreDump      bool   // only the memory; the container keeps running
	PredumpDir   string // images of an earlier pre-dump, relative to Directory
	ActionScript string
	// The rest of LXC's struct migrate_opts (liblxc's migrate).
	NoSkipInFlight    bool   // keep half-open TCP connections out of --skip-in-flight
	PageServerAddress string // memory pages go to a criu page server
	PageServerPort    string
	PreservesInodes   bool   // the restored rootfs keeps its inodes (no --force-irmap)
	GhostLimit        uint64 // largest deleted file criu dumps (0: criu's default)
}

// RestoreOptions are go-lxc's, plus lxc-checkpoint's -A.
type RestoreOptions struct {
	Directory    string
	Verbose      bool
	ActionScript string
}

// pageServer joins the page server's address and port into criu's
// "HOST:PORT" (an IPv6 address in brackets); "" unless both are set.
func pageServer(addr, port string) string {
	addr = strings.TrimSuffix(strings.TrimPrefix(addr, "["), "]")
	if addr == "" || port == "" {
		return ""
	}
	return net.JoinHostPort(addr, port)
}

// criuReady finds criu and checks what LXC's criu_ok checks: root, a criu
// of at least criu.MinVersion, and network types criu can restore.
func criuReady(spec *config.Spec, verb string) (*criu.Binary, error) {
	if os.Geteuid() != 0 {
		return nil, fmt.Errorf("must be root to %s", verb)
	}
	b, err := criu.Locate()
	if err != nil {
		return nil, err
	}
	for _, n := range spec.Net {
		if why := criu.Dumpable(n.Type); why != "" {
			return nil, fmt.Errorf("lxc.net.%d.type = %s: %s (veth, macvlan, phys, none and empty can be)", n.Index, n.Type, why)
		}
	}
	return b, nil
}

// Checkpoint writes the running container's state to o.Directory with
// criu (lxc-checkpoint); with o.Stop criu kills the container after the
// dump and Checkpoint waits until it is STOPPED.
func (c *Container) Checkpoint(o CheckpointOptions) error {
	if o.Directory == "" {
		return errors.New("no checkpoint directory given")
	}
	spec, err := c.Spec()
	if err != nil {
		return err
	}
	cl, err := c.client()
	if err != nil {
		return fmt.Errorf("%s not running, not checkpointing", c.name)
	}
	defer cl.Close()
	pid, err := cl.InitPID()
	if err != nil || pid <= 0 {
		return fmt.Errorf("%s not running, not checkpointing", c.name)
	}
	bin, err := criuReady(spec, "checkpoint")
	if err != nil {
		return err
	}
	if !o.PreDump {
		if _, err := os.Stat(filepath.Join(o.Directory, "inventory.img")); err == nil {
			return fmt.Errorf("%s already holds a checkpoint: use a fresh directory for -D", o.Directory)
		}
	}
	if err := os.MkdirAll(o.Directory, 0o700); err != nil {
		return fmt.Errorf("checkpoint directory: %w", err)
	}
	p := criu.NewDumpPlan(o.Directory)
	p.PreDump, p.PredumpDir, p.Stop = o.PreDump, o.PredumpDir, o.Stop
	p.Verbose, p.ActionScript, p.InitPid, p.Version = o.Verbose, o.ActionScript, pid, bin.Version
	p.NoSkipInFlight, p.PreservesInodes, p.GhostLimit = o.NoSkipInFlight, o.PreservesInodes, o.GhostLimit
	p.PageServer = pageServer(o.PageServerAddress, o.PageServerPort)
	if p.Cgroups, p.FreezeCgroup, err = criuCgroups(cl); err != nil {
		return err
	}
	for _, m := range spec.MountEntries {
		if m.Flags&unix.MS_BIND != 0 {
			p.BindTargets = append(p.BindTargets, m.Target)
		}
	}
	if spec.Console.Path != "none" {
		if p.TTYID, err = saveTTY(o.Directory, pid); err != nil {
			return err
		}
	}
	log.Debugf("Running %s %q", bin.Path, p.Args())
	if err := bin.Run(p.Args(), nil); err != nil {
		return err
	}
	log.Infof("Checkpointed %s into %s (%s)", c.name, o.Directory, p.Action())
	if o.Stop && !o.PreDump {
		// criu killed the tree; the monitor sees init exit and tears down.
		if !c.Wait(STOPPED, 30*time.Second) {
			return fmt.Errorf("checkpointed, but %s did not stop within 30 s after criu killed it", c.name)
		}
	}
	return nil
}

// criuCgroups asks the monitor for the container's limit cgroup in every
// hierarchy (criu's --cgroup-root) and names the cgroup criu freezes.
func criuCgroups(cl *cmdsock.Client) ([]criu.CgroupRoot, string, error) {
	l, err := cgroup.Detect()
	if err != nil {
		return nil, "", err
	}
	var roots []criu.CgroupRoot
	freeze := ""
	for _, h := range l.Hierarchies {
		ask := ""
		if !h.Unified {
			ask = h.Controllers[0]
		}
		rel, err := cl.LimitCgroup(ask)
		if err != nil || rel == "" {
			if h.Unified && l.Mode == cgroup.Hybrid {
				continue // the empty v2 of a hybrid host holds no container cgroup
			}
			return nil, "", fmt.Errorf("ask the monitor for the container's %s cgroup: %v", h.Name(), err)
		}
		r := criu.CgroupRoot{Path: filepath.Clean("/" + rel)}
		if !h.Unified {
			r.Controllers = h.Controllers
		}
		roots = append(roots, r)
		if h.Has("freezer") || (h.Unified && l.Mode == cgroup.Unified) {
			freeze = filepath.Join(h.Mount, rel)
		}
	}
	if freeze == "" {
		return nil, "", errors.New("no freezer cgroup for the container: criu needs one to freeze it while dumping")
	}
	return roots, freeze, nil
}

// saveTTY records the container console's device numbers in tty.info, as
// LXC does, for criu's --external tty[...] and the restore.
func saveTTY(dir string, pid int) (string, error) {
	var st unix.Stat_t
	con := fmt.Sprintf("/proc/%d/root/dev/console", pid)
	if err := unix.Stat(con, &st); err != nil {
		return "", fmt.Errorf("stat %s: %w", con, err)
	}
	id := fmt.Sprintf("tty[%x:%x]", st.Rdev, st.Dev)
	if err := os.WriteFile(filepath.Join(dir, "tty.info"), []byte(id), 0o600); err != nil {
		return "", err
	}
	return id, nil
}

// Restore brings the container back from a checkpoint (lxc-checkpoint
// -r): its monitor starts as for Start (daemonized unless WantDaemonize
// (false)) and has criu restore the process tree instead of spawning init.
func (c *Container) Restore(o RestoreOptions) error {
	if o.Directory == "" {
		return errors.New("no checkpoint directory given")
	}
	if c.Running() {
		return fmt.Errorf("%s is running, not restoring", c.name)
	}
	if !c.Defined() {
		return ErrNotDefined
	}
	spec, err := c.Spec()
	if err != nil {
		return err
	}
	bin, err := criuReady(spec, "restore")
	if err != nil {
		return err
	}
	dir, err := filepath.Abs(o.Directory)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(dir, "inventory.img")); err != nil {
		return fmt.Errorf("%s holds no checkpoint (no inventory.img): give the -D directory of an earlier lxc-checkpoint", o.Directory)
	}
	mo := monitor.Options{
		Name: c.name, LXCPath: c.lxcpath, ConfigFile: c.ConfigFileName(), Daemonize: c.daemonize,
		UID: -1, GID: -1,
		Restore: &monitor.RestoreRequest{Dir: dir, Criu: bin.Path, CriuVersion: bin.Version,
			Verbose: o.Verbose, ActionScript: o.ActionScript},
	}
	if _, err := monitor.Start(mo); err != nil {
		if errors.Is(err, monitor.ErrAlreadyRunning) {
			return fmt.Errorf("%s is running, not restoring", c.name)
		}
		return err
	}
	return nil
}
