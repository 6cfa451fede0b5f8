package monitor

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/criu"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/network"
	"github.com/golxc/golxc/internal/spawn"
)

// restore brings the container back from the checkpoint in m.o.Restore
// (LXC's do_restore): the cgroups and the console are the monitor's, as
// for a start; criu recreates the process tree, its namespaces and its
// network devices, and with --restore-sibling the restored init becomes
// this monitor's child, adopted as if spawned. The veths criu creates go
// away with the container's network namespace, so the network needs no
// teardown of ours.
func (m *monitor) restore(in *instance) error {
	r := m.o.Restore
	in.net = noNet{}
	root, err := restoreRoot(&m.spec.Rootfs)
	if err != nil {
		return err
	}
	if err := m.openTerminals(in); err != nil {
		return err
	}
	p := criu.NewRestorePlan(r.Dir)
	p.Root, p.Verbose, p.ActionScript, p.Version = root, r.Verbose, r.ActionScript, r.CriuVersion
	p.Cgroups = restoreCgroups(in.cg)
	for _, e := range m.spec.MountEntries {
		if e.Flags&unix.MS_BIND != 0 {
			p.BindTargets = append(p.BindTargets, e.Target)
			p.BindSources = append(p.BindSources, e.Source)
		}
	}
	if p.Net, err = restoreNet(m.spec.Net, func() (string, error) { return network.FreeName("veth") }); err != nil {
		return err
	}
	var extra []*os.File
	if b, err := os.ReadFile(filepath.Join(r.Dir, "tty.info")); err == nil {
		p.TTYID = strings.TrimSpace(string(b))
		if in.con == nil && m.spec.Console.Path == "" {
			// criu restores the console onto a tty of ours even when
			// nobody watches it (foreground without a terminal).
			if in.con, err = newConsole(m.spec.Console.Logfile, m.spec.Console.BufferSize); err != nil {
				return err
			}
		}
		if in.con != nil {
			slave, err := in.con.pty.openSlave()
			if err != nil {
				return fmt.Errorf("open console %s: %w", in.con.pty.slavePath, err)
			}
			defer slave.Close()
			extra, p.ConsoleFD = []*os.File{slave}, 3
		}
	}
	p.PidFile = filepath.Join(r.Dir, "restore.pid")
	_ = os.Remove(p.PidFile)
	args, err := p.Args()
	if err != nil {
		return fmt.Errorf("restore from %s: %w", r.Dir, err)
	}
	log.Debugf("Running %s %q", r.Criu, args)
	bin := &criu.Binary{Path: r.Criu, Version: r.CriuVersion}
	if err := bin.Run(args, extra); err != nil {
		return err
	}
	b, err := os.ReadFile(p.PidFile)
	os.Remove(p.PidFile)
	if err != nil {
		return fmt.Errorf("criu restored the container but wrote no pid file: %w", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil || pid <= 0 {
		return fmt.Errorf("criu's pid file %s holds %q, not a pid", p.PidFile, b)
	}
	proc, err := spawn.AdoptChild(pid)
	if err != nil {
		return fmt.Errorf("adopt the restored init: %w", err)
	}
	ip := &initProcess{p: proc, pid: pid, done: make(chan struct{})}
	go ip.waitLoop()
	// Under mu, as setup publishes a spawned init: stop reads it.
	m.mu.Lock()
	in.proc, in.pid = ip, pid
	m.mu.Unlock()
	log.Noticef("Restored the container from %s: init is pid %d", r.Dir, pid)
	return nil
}

// restoreRoot is the root criu restores into: a directory rootfs as it
// is. Other backends would need mounting in a private mount namespace
// first, which golxc's restore does not do yet.
func restoreRoot(rs *config.RootfsSpec) (string, error) {
	if rs.Path == "" || rs.Path == "/" {
		return "", fmt.Errorf("lxc.rootfs.path = %q: criu restores into a container root filesystem; this container has none of its own", rs.Raw)
	}
	if rs.Type != "" && rs.Type != "dir" {
		return "", fmt.Errorf("lxc.rootfs.path = %s: golxc restores checkpoints of directory root filesystems only, not %s", rs.Raw, rs.Type)
	}
	return rs.Path, nil
}

// restoreCgroups maps each hierarchy's checkpointed cgroup root to the
// new container's limit cgroup (criu's --cgroup-root).
func restoreCgroups(cg *cgroups) []criu.CgroupRoot {
	if cg == nil || cg.cg == nil {
		return nil
	}
	lim := cg.cg.LimitPaths()
	var roots []criu.CgroupRoot
	for _, h := range cg.layout.Hierarchies {
		key := "unified"
		if !h.Unified {
			key = h.Controllers[0]
		}
		dir, ok := lim[key]
		if !ok {
			continue
		}
		rel := "/" + strings.TrimLeft(strings.TrimPrefix(dir, h.Mount), "/")
		r := criu.CgroupRoot{Path: rel}
		if !h.Unified {
			r.Controllers = h.Controllers
		}
		roots = append(roots, r)
	}
	return roots
}

// restoreNet names the devices criu recreates: veth host sides as
// lxc.net.N.veth.pair, else a fresh vethXXXXXX like a start's.
func restoreNet(nets []config.NetDev, freeName func() (string, error)) ([]criu.NetDev, error) {
	var out []criu.NetDev
	for i, n := range nets {
		name := n.Name
		if name == "" {
			name = "eth" + strconv.Itoa(i)
		}
		switch n.Type {
		case "veth":
			host := n.VethPair
			if host == "" {
				var err error
				if host, err = freeName(); err != nil {
					return nil, err
				}
			}
			out = append(out, criu.NetDev{Type: "veth", Name: name, Host: host, Link: n.Link})
		case "macvlan":
			out = append(out, criu.NetDev{Type: "macvlan", Name: name, Link: n.Link})
		}
	}
	return out, nil
}
