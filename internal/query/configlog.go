package query

import (
	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/log"
)

// UseConfigLog gives the tool the container's lxc.log.file once its config
// is loaded, as LXC's tools do (log.Choose): without -o, the container's
// steps go to lxc.log.file at lxc.log.level (else -l's level); -o keeps
// both out, and without lxc.log.file the tool keeps the log it opened.
func UseConfigLog(c *cli.Ctx, item func(key string) (string, error)) {
	file, _ := item("lxc.log.file")
	level, _ := item("lxc.log.level")
	ch := log.Choose(c.LogFile, c.LogPriority, file, level, "")
	if ch.Source != log.ConfigFile {
		return
	}
	_ = ch.Apply(log.Prefix(), c.Name, c.Quiet) // only -o fails
}
