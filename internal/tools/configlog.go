package tools

import (
	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/lxc"
)

// useConfigLog gives the tool the container's lxc.log.file once its config
// is loaded, as LXC's tools do: without -o, the container's steps go to
// lxc.log.file at lxc.log.level (else -l's level); -o keeps both out.
func useConfigLog(c *cli.Ctx, ct *lxc.Container) {
	if c.LogFile != "" {
		return
	}
	file, _ := ct.ConfigItemText("lxc.log.file")
	if file == "" {
		return
	}
	level := log.ERROR
	if c.LogPriority != "" {
		level = log.CommandLineLevel(c.LogPriority)
	}
	if v, _ := ct.ConfigItemText("lxc.log.level"); v != "" {
		if l, err := log.ParseLevel(v); err == nil {
			level = l
		}
	}
	if err := log.Setup(log.Prefix(), c.Name, file, level, c.Quiet); err != nil {
		log.Warnf("lxc.log.file: %v", err)
	}
}
