package tools

import (
	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/query"
	"github.com/golxc/golxc/lxc"
)

// useConfigLog is query.UseConfigLog for a loaded lxc.Container.
func useConfigLog(c *cli.Ctx, ct *lxc.Container) { query.UseConfigLog(c, ct.ConfigItemText) }
