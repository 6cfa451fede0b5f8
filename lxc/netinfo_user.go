package lxc

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/query"
	"github.com/golxc/golxc/internal/spawn"
)

// A user cannot setns(2) into its container's network namespace from a
// (multi-threaded) Go process: that needs its user namespace first. A
// short helper joins both (as lxc-attach does) and reports the
// interfaces, as LXC's get_ips does for an unprivileged caller.

const netViewStage = "lxc-netview"

func init() { spawn.RegisterStage(netViewStage, netViewChild) }

type netViewReply struct {
	Ifaces []ifaceAddrs
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
	return r.Ifaces, nil
}

func netViewChild(sync *os.File, _ []string) int {
	defer sync.Close()
	var r netViewReply
	ifs, err := query.Interfaces()
	if err != nil {
		r.Err = err.Error()
	}
	r.Ifaces = ifs
	if spawn.Send(sync, r) != nil {
		return 1
	}
	return 0
}
