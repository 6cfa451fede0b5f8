package network

import (
	"bytes"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"github.com/golxc/golxc/internal/hooks"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/timerslack"
)

// runScript runs lxc.net.N.script.up or .down on the host like LXC:
// `/bin/sh -c "exec SCRIPT ARGS"`; version 0 passes NAME net up|down TYPE
// PARENT [PEER], version 1 only TYPE PARENT [PEER] plus LXC_HOOK_TYPE,
// LXC_HOOK_SECTION=net and LXC_NET_TYPE/PARENT/PEER in the environment.
// Like LXC the arguments are joined with spaces, so an empty PARENT
// disappears.
func (n *Network) runScript(d *device, which string) error {
	script, key := d.cfg.ScriptUp, d.key+".script.up"
	if which == "down" {
		script, key = d.cfg.ScriptDown, d.key+".script.down"
	}
	args := d.drv.scriptArgs(d)
	c := n.p.Hook
	c.Name = n.p.Name
	var words []string
	if c.Version == 0 {
		words = append(words, c.Name, "net", which)
	} else {
		c.ExtraEnv = append(c.ExtraEnv, "LXC_HOOK_TYPE="+which, "LXC_HOOK_SECTION=net", "LXC_NET_TYPE="+args[0])
		switch args[0] {
		case "macvlan", "phys", "veth":
			c.ExtraEnv = append(c.ExtraEnv, "LXC_NET_PARENT="+args[1])
		}
		if args[0] == "veth" {
			c.ExtraEnv = append(c.ExtraEnv, "LXC_NET_PEER="+args[2])
		}
	}
	words = append(words, args...)
	line := "exec " + script + " " + strings.Join(words, " ")
	cmd := exec.Command("/bin/sh", "-c", line)
	cmd.Env = hooks.Env(which, c)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := timerslack.Run(cmd)
	if out.Len() > 0 {
		log.Debugf("Script exec %s produced output: %s", line, strings.TrimRight(out.String(), "\n"))
	}
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		tail := strings.TrimSpace(lastLine(out.String()))
		if tail != "" {
			return fmt.Errorf("%s = %s: exited with status %d: %s", key, script, ee.ExitCode(), tail)
		}
		return fmt.Errorf("%s = %s: exited with status %d", key, script, ee.ExitCode())
	}
	return fmt.Errorf("%s = %s: %v", key, script, err)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}
