package tools

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/storage"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-destroy", runDestroy) }

const destroyHelp = `--name=NAME [-f] [-P lxcpath]

lxc-destroy destroys a container with the identifier NAME

Options :
  -n, --name=NAME   NAME of the container
  -s, --snapshots   destroy including all snapshots
  -f, --force       wait for the container to shut down
  --rcfile=FILE     Load configuration file FILE
`

func runDestroy(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var force, snaps bool
	t := &cli.Tool{
		Name: "lxc-destroy", Help: destroyHelp, AlwaysLog: true,
		Options: []cli.Option{
			{Short: 'f', Long: "force", Set: func(string) error { force = true; return nil }},
			{Short: 's', Long: "snapshots", Set: func(string) error { snaps = true; return nil }},
		},
		Run: func(c *cli.Ctx) int {
			ct, code := openSteps{say: sayTool, configLog: true, defined: "Container is not defined"}.open(c, "")
			if ct == nil {
				return code
			}
			// LXC's order: clones, then snapshots, then running.
			if !snaps {
				if _, err := os.Stat(filepath.Join(ct.Dir(), storage.SnapshotsFile)); err == nil {
					c.Errorf("Destroying %s failed: %s has clones", c.Name, c.Name)
					return 1
				}
				if err := os.Remove(filepath.Join(ct.Dir(), "snaps")); err != nil && !errors.Is(err, os.ErrNotExist) {
					c.Errorf("Destroying %s failed: %s has snapshots", c.Name, c.Name)
					return 1
				}
			}
			if ct.Running() {
				if !force {
					c.Errorf("%s is running", c.Name)
					return 1
				}
				if err := ct.Stop(); err != nil && !errors.Is(err, lxc.ErrNotRunning) {
					return c.Fail(err)
				}
				ct.Wait(lxc.STOPPED, 30*time.Second)
			}
			destroy := ct.Destroy
			if snaps {
				destroy = func() error {
					if err := ct.DestroyDependentClones(); err != nil {
						return err
					}
					return ct.DestroyWithAllSnapshots()
				}
			}
			if err := destroy(); err != nil {
				switch {
				case errors.Is(err, lxc.ErrHasClones):
					c.Errorf("Destroying %s failed: %s has clones", c.Name, c.Name)
				case errors.Is(err, lxc.ErrHasSnapshots):
					c.Errorf("Destroying %s failed: %s has snapshots", c.Name, c.Name)
				default:
					c.Errorf("Destroying %s failed: %v", c.Name, err)
				}
				return 1
			}
			return 0
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}
