package query

import (
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/lock"
)

// ErrFull says this command needs golxc itself (Env.Full).
var ErrFull = errors.New("needs the full golxc")

// Container is what a query tool needs of a container: its name, its
// normalised lxcpath and its config items.
type Container struct {
	Name    string
	LXCPath string
	Item    func(key string) (string, error)
	// Defined: the config file exists; LoadErr is its load error (the
	// tools other than lxc-info go on without it, as golxc's do).
	Defined bool
	LoadErr error
}

// Env is how a query tool opens a container and, in the small binary,
// hands a command to golxc.
type Env struct {
	// Open checks and loads the container as lxc.NewContainer does and
	// returns its error (or ErrFull).
	Open func(name, lxcpath string) (*Container, error)
	// Full runs the command in golxc when Open said ErrFull or the tool
	// needs more than this package has; nil in golxc itself.
	Full func() int
}

// open runs env.Open and turns ErrFull into env.Full's exit code.
func (env Env) open(c *cli.Ctx) (*Container, int, bool) {
	ct, err := env.Open(c.Name, c.LXCPath)
	if errors.Is(err, ErrFull) && env.Full != nil {
		return nil, env.Full(), false
	}
	if err != nil {
		return nil, c.Fail(err), false
	}
	return ct, 0, true
}

// maxNameLen is lxc.ValidateName's limit.
const maxNameLen = 200

// plainName: a name every rule of lxc.ValidateName accepts (printable
// ASCII, no space or '/', no leading '.'). Anything else goes to golxc,
// which accepts or rejects it with its own message.
func plainName(name string) bool {
	if name == "" || len(name) > maxNameLen || name[0] == '.' {
		return false
	}
	for i := 0; i < len(name); i++ {
		if b := name[i]; b <= ' ' || b >= 0x7f || b == '/' {
			return false
		}
	}
	return true
}

// LeanOpen is lxc.NewContainer's check for the ordinary case: a plain
// name, no create marker (an ongoing or interrupted creation goes to
// golxc, which reports or cleans it), and the config loaded when it
// exists (a load error is kept out of the tools' way, as there).
func LeanOpen(name, lxcpath string) (*Container, error) {
	if !plainName(name) {
		return nil, ErrFull
	}
	p := strings.TrimRight(lxcpath, "/")
	switch {
	case lxcpath == "":
		p = config.DefaultLXCPath() // read only when needed: it parses lxc.conf
	case p == "":
		p = "/"
	}
	dir := filepath.Join(p, name)
	if st, err := lock.CheckPartial(dir); err != nil || st != lock.PartialNone {
		return nil, ErrFull
	}
	conf := config.New()
	ct := &Container{Name: name, LXCPath: p, Item: conf.Get}
	file := filepath.Join(dir, "config")
	if _, err := os.Stat(file); err == nil {
		ct.Defined = true
		ct.LoadErr = conf.Load(file)
	}
	return ct, nil
}
