package lxc

import (
	"errors"
	"fmt"
	"net"
	"os"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/spawn"
)

// A user cannot setns(2) into its container's network namespace from a
// (multi-threaded) Go process: that needs its user namespace first. A
// short helper joins both (as lxc-attach does) and reports the
// interfaces, as LXC's get_ips does for an unprivileged caller.

const netViewStage = "lxc-netview"

func init() { spawn.RegisterStage(netViewStage, netViewChild) }

type netViewIface struct {
	Name string
	IPs  []net.IP
}

type netViewReply struct {
	Ifaces []netViewIface
	Err    string
}

func netViewUser(pid int) ([]ifaceAddrs, error) {
	p, err := spawn.Start(spawn.Request{
		Mode: spawn.Join, JoinPID: pid, JoinFlags: unix.CLONE_NEWUSER | unix.CLONE_NEWNET,
		Stage: netViewStage, CgroupFD: -1, Pdeathsig: unix.SIGKILL,
	})
	if err != nil {
		return nil, fmt.Errorf("enter network namespace of pid %d: %w", pid, err)
	}
	var r netViewReply
	rerr := spawn.Recv(p.Sync, &r)
	p.Sync.Close()
	p.Wait()
	if rerr != nil {
		return nil, fmt.Errorf("list interfaces of pid %d: %w", pid, rerr)
	}
	if r.Err != "" {
		return nil, errors.New(r.Err)
	}
	out := make([]ifaceAddrs, 0, len(r.Ifaces))
	for _, i := range r.Ifaces {
		out = append(out, ifaceAddrs{Name: i.Name, IPs: i.IPs})
	}
	return out, nil
}

func netViewChild(sync *os.File, _ []string) int {
	defer sync.Close()
	var r netViewReply
	ifs, err := net.Interfaces()
	if err != nil {
		r.Err = err.Error()
	}
	for _, i := range ifs {
		ni := netViewIface{Name: i.Name}
		addrs, _ := i.Addrs()
		for _, a := range addrs {
			if n, ok := a.(*net.IPNet); ok {
				ni.IPs = append(ni.IPs, n.IP)
			}
		}
		r.Ifaces = append(r.Ifaces, ni)
	}
	if spawn.Send(sync, r) != nil {
		return 1
	}
	return 0
}
