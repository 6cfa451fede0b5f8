package monitor

import (
	"github.com/golxc/golxc/internal/hooks"
	"github.com/golxc/golxc/internal/log"
)

// teardown releases everything one boot created, in LXC's order: network,
// stop hooks (with the preserved namespaces), cgroups, terminals,
// post-stop hooks. Every step runs even when an earlier one failed.
func (m *monitor) teardown(in *instance, target string) {
	if in.net != nil {
		if err := in.net.Teardown(); err != nil {
			log.Errorf("network teardown: %v", err)
		} else {
			log.Debugf("Deleted network devices")
		}
	}
	if in.proc != nil {
		ctx := hooks.Context{PID: in.pid, NS: nsHookPaths(in.nsFiles), Target: target}
		if err := m.runHostHooks(hooks.Stop, ctx); err != nil {
			log.Errorf("%v", err)
		}
	}
	in.kill.waitThawed()
	if in.cg != nil {
		if err := in.cg.destroy(); err != nil {
			log.Errorf("cgroup cleanup: %v", err)
		} else {
			m.forgetCgroups()
			log.Debugf("Removed the container's cgroups")
		}
	}
	if in.proc != nil {
		in.proc.release()
	}
	if in.restoreTerm != nil {
		in.restoreTerm()
		in.restoreTerm = nil
	}
	in.con.close()
	in.con = nil
	for _, t := range in.ttys {
		t.close()
	}
	in.ttys = nil
	ctx := hooks.Context{PID: in.pid, NS: nsHookPaths(in.nsFiles), Target: target}
	if err := m.runHostHooks(hooks.PostStop, ctx); err != nil {
		log.Errorf("%v", err)
	}
	for _, f := range in.nsFiles {
		f.Close()
	}
	in.nsFiles = nil
	log.Tracef("Released terminals and namespaces")
}
