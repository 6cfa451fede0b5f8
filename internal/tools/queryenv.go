package tools

import (
	"github.com/golxc/golxc/internal/query"
	"github.com/golxc/golxc/lxc"
)

// lxcEnv runs internal/query's tools in golxc: lxc.NewContainer opens the
// container (its whole check, stale creations cleaned up), nothing is
// handed on.
var lxcEnv = query.Env{Open: func(name, lxcpath string) (*query.Container, error) {
	ct, err := lxc.NewContainer(name, lxcpath)
	if err != nil {
		return nil, err
	}
	return &query.Container{Name: ct.Name(), LXCPath: ct.ConfigPath(), Item: ct.ConfigItemText,
		Defined: ct.Defined(), LoadErr: ct.ConfigError()}, nil
}}
