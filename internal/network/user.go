package network

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/spawn"
)

// A user's container (not root) gets its network the way LXC gives it to
// an unprivileged container: the setuid lxc-user-nic creates each veth on
// the host, attaches it to the bridge within the user's
// /etc/lxc/lxc-usernet quota and moves the peer into the container, and
// the rest (MAC, addresses, up, gateways, lo) is done inside, by a helper
// that joins the container's user and network namespaces, where it is
// root. Only veth (with a bridge), empty and none can work for a user.

const userNetStage = "usernet"

func init() { spawn.RegisterStage(userNetStage, userNetChild) }

// UserNicPaths are where lxc-start looks for golxc's setuid lxc-user-nic,
// after the directories next to the running golxc binary
// (BINDIR/lxc-user-nic, BINDIR/../libexec/golxc/lxc-user-nic). A
// variable so tests can point at their own build.
var UserNicPaths = []string{"/usr/local/libexec/golxc/lxc-user-nic", "/usr/libexec/golxc/lxc-user-nic"}

// userNicPath finds lxc-user-nic: installed setuid root next to golxc.
func userNicPath() (string, error) {
	var cands []string
	if exe, err := os.Executable(); err == nil && !strings.HasPrefix(filepath.Base(exe), "memfd:") {
		dir := filepath.Dir(exe)
		cands = append(cands, filepath.Join(dir, "lxc-user-nic"), filepath.Join(dir, "..", "libexec", "golxc", "lxc-user-nic"))
	}
	cands = append(cands, UserNicPaths...)
	for _, c := range cands {
		var st unix.Stat_t
		if unix.Stat(c, &st) == nil && st.Mode&unix.S_ISUID != 0 && st.Uid == 0 {
			return filepath.Clean(c), nil
		}
	}
	return "", fmt.Errorf("golxc's setuid-root lxc-user-nic is not installed (looked in %s): as root run make install", strings.Join(cands, ", "))
}

// userNew is New for a non-root caller: the same checks, minus what only
// root may do (bring up lxc-net's bridge).
func userNew(p Params) (*Network, error) {
	n := &Network{p: p, hostNS: -1, nsFD: -1, user: true}
	if err := n.checkShared(); err != nil || p.NetnsShared {
		return nil, err
	}
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return nil, fmt.Errorf("network: open netlink: %w", err)
	}
	n.host = h
	for _, nd := range p.Spec.Net {
		d := &device{cfg: nd, key: fmt.Sprintf("lxc.net.%d", nd.Index)}
		switch nd.Type {
		case "", "empty":
			continue
		case "veth":
		default:
			n.close()
			return nil, fmt.Errorf("%s.type = %s: not for a user's container (as with LXC, only root may give it a %s device); use type veth with a bridge that /etc/lxc/lxc-usernet grants you, or empty or none, or start the container as root", d.key, nd.Type, nd.Type)
		}
		if nd.Link == "" {
			n.close()
			return nil, fmt.Errorf("%s.link: a user's veth needs a bridge (lxc-user-nic attaches it to one listed for the user in /etc/lxc/lxc-usernet)", d.key)
		}
		if nd.VethMode == "router" || nd.VethPair != "" || nd.L2Proxy || nd.ScriptUp != "" || nd.ScriptDown != "" || len(nd.VethIPv4Routes)+len(nd.VethIPv6Routes) > 0 {
			n.close()
			return nil, fmt.Errorf("%s: veth.mode router, veth.pair, veth routes, l2proxy and up/down scripts need root on the host; remove them from a user's container", d.key)
		}
		if err := n.loadAddrs(d); err != nil {
			n.close()
			return nil, err
		}
		if _, err := n.host.LinkByName(nd.Link); err != nil {
			n.close()
			if isLxcnetBridge(nd.Link) {
				return nil, fmt.Errorf("%s.link = %s: the bridge is down and only root can start it (golxc net start, or Debian's lxc-net)", d.key, nd.Link)
			}
			return nil, fmt.Errorf("%s.link = %s: no such bridge on the host; ask root to create it", d.key, nd.Link)
		}
		n.devs = append(n.devs, d)
	}
	if len(n.devs) > 0 {
		if n.nicPath, err = userNicPath(); err != nil {
			n.close()
			return nil, fmt.Errorf("%s.type = veth: %w", n.devs[0].key, err)
		}
	}
	return n, nil
}

// userDev is one device the helper configures inside.
type userDev struct {
	Dev      config.NetDev
	Name     string // the name lxc-user-nic gave it inside
	Gw4, Gw6 net.IP // resolved "auto" gateways
}

// userNetPlan is what the helper gets once the devices are in.
type userNetPlan struct {
	Devs []userDev
	LoUp bool
}

type userNetReply struct {
	Ready bool
	Err   string
}

// userSetup is Setup for a user: helper first (lxc-user-nic needs a
// process in the container's namespaces that the user may reach), then
// one lxc-user-nic create per veth, then the configuration inside.
func (n *Network) userSetup(pid int) error {
	if len(n.devs) == 0 {
		return nil
	}
	nic := n.nicPath
	helper, err := spawn.Start(spawn.Request{
		Mode: spawn.Join, JoinPID: pid, JoinFlags: unix.CLONE_NEWUSER | unix.CLONE_NEWNET,
		Stage: userNetStage, Stderr: os.Stderr, CgroupFD: -1, Pdeathsig: unix.SIGKILL,
	})
	if err != nil {
		return fmt.Errorf("network: join the container's namespaces to configure its network: %w", err)
	}
	defer func() {
		helper.Sync.Close()
		helper.Wait()
	}()
	var r userNetReply
	if err := spawn.Recv(helper.Sync, &r); err != nil || !r.Ready {
		return fmt.Errorf("network: the helper in the container's namespaces did not start (%v)", err)
	}
	// The namespace is kept for the deletes at stop (LXC keeps its fd too).
	if n.nsFile, err = os.Open(fmt.Sprintf("/proc/%d/ns/net", helper.Pid)); err != nil {
		return fmt.Errorf("network: open the container's network namespace: %w", err)
	}
	plan := userNetPlan{}
	for _, d := range n.devs {
		if err := n.resolveAutoGateways(d); err != nil {
			return err
		}
		args := []string{"create", n.p.LXCPath, n.p.Name, strconv.Itoa(helper.Pid), "veth", d.cfg.Link}
		if d.cfg.Name != "" {
			args = append(args, d.cfg.Name)
		}
		log.Debugf("%s: running %s %s", d.key, nic, strings.Join(args, " "))
		out, err := runUserNic(nic, nil, args...)
		if err != nil {
			hint := ""
			if strings.Contains(err.Error(), "Quota reached") {
				hint = fmt.Sprintf(" (as root, allow it in /etc/lxc/lxc-usernet: %s veth %s COUNT)", userName(), d.cfg.Link)
			}
			return fmt.Errorf("%s: lxc-user-nic could not create the veth on %s: %v%s", d.key, d.cfg.Link, err, hint)
		}
		// NAME_INSIDE:IFINDEX:HOST_NAME:HOST_IFINDEX
		f := strings.Split(strings.TrimSpace(out), ":")
		if len(f) != 4 {
			return fmt.Errorf("%s: unexpected answer from lxc-user-nic: %q", d.key, out)
		}
		n.mu.Lock()
		d.hostName, d.ifname = f[2], f[0]
		d.ifindex, _ = strconv.Atoi(f[1])
		n.mu.Unlock()
		d.moved = true
		log.Infof("%s: lxc-user-nic created %q on %s, %q inside", d.key, d.hostName, d.cfg.Link, d.ifname)
		plan.Devs = append(plan.Devs, userDev{Dev: d.cfg, Name: f[0], Gw4: d.gw4, Gw6: d.gw6})
		plan.LoUp = plan.LoUp || d.up()
	}
	if err := spawn.Send(helper.Sync, plan); err != nil {
		return fmt.Errorf("network: send the configuration to the helper: %w", err)
	}
	r = userNetReply{}
	if err := spawn.Recv(helper.Sync, &r); err != nil {
		return fmt.Errorf("network: the helper in the container's namespaces died (%v)", err)
	}
	if r.Err != "" {
		return errors.New(r.Err)
	}
	log.Infof("Finished setting up %d network devices through lxc-user-nic", len(plan.Devs))
	return nil
}

// runUserNic runs the helper with the netns fd (if any) as fd 3.
func runUserNic(path string, ns *os.File, args ...string) (string, error) {
	cmd := exec.Command(path, args...)
	cmd.Env = []string{}
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if ns != nil {
		cmd.ExtraFiles = []*os.File{ns}
	}
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(errb.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", errors.New(msg)
	}
	return out.String(), nil
}

// userTeardown deletes every veth lxc-user-nic made (and its record in
// the nics database), through the namespace kept at setup.
func (n *Network) userTeardown() error {
	var errs []error
	if n.nsFile != nil {
		nic := n.nicPath
		for _, d := range n.devs {
			if d.hostName == "" {
				continue
			}
			args := []string{"delete", n.p.LXCPath, n.p.Name, "/proc/self/fd/3", "veth", d.cfg.Link, d.hostName}
			log.Debugf("%s: running %s %s", d.key, nic, strings.Join(args, " "))
			if _, err := runUserNic(nic, n.nsFile, args...); err != nil {
				errs = append(errs, fmt.Errorf("%s: lxc-user-nic could not delete %s: %v", d.key, d.hostName, err))
				continue
			}
			log.Debugf("%s: released network device %q", d.key, d.hostName)
		}
		n.nsFile.Close()
		n.nsFile = nil
	}
	n.close()
	return errors.Join(errs...)
}

// userNetChild runs in the container's user and network namespaces as
// their root: it turns dumpable so the user (the namespace's owner) may
// name it to lxc-user-nic, then configures what it is sent.
func userNetChild(sync *os.File, _ []string) int {
	defer sync.Close()
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 1, 0, 0, 0); err != nil {
		spawn.Send(sync, userNetReply{Err: fmt.Sprintf("network helper: prctl(PR_SET_DUMPABLE): %v", err)})
		return 1
	}
	if err := spawn.Send(sync, userNetReply{Ready: true}); err != nil {
		return 1
	}
	var plan userNetPlan
	if err := spawn.Recv(sync, &plan); err != nil {
		return 1 // the parent gave up
	}
	unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0)
	err := configureUser(plan)
	msg := ""
	if err != nil {
		msg = err.Error()
	}
	spawn.Send(sync, userNetReply{Err: msg})
	return 0
}

func configureUser(plan userNetPlan) error {
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE)
	if err != nil {
		return fmt.Errorf("network: netlink in the container's namespace: %w", err)
	}
	defer h.Close()
	n := &Network{ns: h, hostNS: -1, nsFD: -1}
	for _, u := range plan.Devs {
		d := &device{cfg: u.Dev, key: fmt.Sprintf("lxc.net.%d", u.Dev.Index), moveName: u.Name}
		d.cfg.Name = u.Name // lxc-user-nic named it already (eth%d resolved)
		if err := n.loadAddrs(d); err != nil {
			return err
		}
		if u.Gw4 != nil {
			d.gw4 = u.Gw4
		}
		if u.Gw6 != nil {
			d.gw6 = u.Gw6
		}
		if err := n.configureInside(d); err != nil {
			return err
		}
	}
	if plan.LoUp {
		if err := n.linkUp(h, "lo"); err != nil {
			return fmt.Errorf("network: set lo up in the container: %w", err)
		}
	}
	return nil
}

// userName is the caller's login name (its uid when it has none).
func userName() string {
	id := strconv.Itoa(os.Getuid())
	if u, err := user.LookupId(id); err == nil {
		return u.Username
	}
	return id
}
