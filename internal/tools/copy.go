package tools

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/storage"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-copy", runCopy) }

const copyHelp = `
--name=NAME [-P lxcpath] -N newname [-p newpath] [-B backingstorage] [-s] [-K] [-M] [-L size [unit]] -- hook options
--name=NAME [-P lxcpath] [-N newname] [-p newpath] [-B backingstorage] -e [-d] [-D] [-K] [-M] [-m {bind,overlay}=/src:/dest] -- hook options
--name=NAME [-P lxcpath] -N newname -R

lxc-copy clone a container

Options :
  -n, --name=NAME           NAME of the container
  -N, --newname=NEWNAME     NEWNAME for the restored container
  -p, --newpath=NEWPATH     NEWPATH for the container to be stored
  -R, --rename              rename container
  -s, --snapshot            create snapshot instead of clone
  -a, --allowrunning        allow snapshot creation even if source container is running
  -F, --foreground          start with current tty attached to /dev/console
  -d, --daemon              daemonize the container (default)
  -e, --ephemeral           start ephemeral container
  -m, --mount               directory to mount into container, either 
                            {bind,overlay}=/src-path or {bind,overlay}=/src-path:/dst-path
  -B, --backingstorage=TYPE backingstorage type for the container
  -t, --tmpfs               place ephemeral container on a tmpfs
                            (WARNING: On reboot all changes made to the container will be lost.)
  -L, --fssize              size of the new block device for block device containers
  -D, --keepdata            pass together with -e start a persistent snapshot 
  -K, --keepname            keep the hostname of the original container
  --  hook options          arguments passed to the hook program
  -M, --keepmac             keep the MAC address of the original container
  --rcfile=FILE             Load configuration file FILE
`

type copyTask int

const (
	taskClone copyTask = iota
	taskSnapshot
	taskRename
	taskEphemeral
)

type copyOpts struct {
	newName, newPath, bdev, fssize            string
	task                                      copyTask
	allowRunning, foreground, tmpfs, keepData bool
	keepName, keepMAC                         bool
	mounts                                    []copyMount
}

func runCopy(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &copyOpts{}
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	flag := func(p *bool, v bool) func(string) error { return func(string) error { *p = v; return nil } }
	task := func(t copyTask) func(string) error { return func(string) error { o.task = t; return nil } }
	t := &cli.Tool{
		Name: "lxc-copy", Help: copyHelp,
		Options: []cli.Option{
			{Short: 'N', Long: "newname", Arg: cli.RequiredArg, Set: str(&o.newName)},
			{Short: 'p', Long: "newpath", Arg: cli.RequiredArg, Set: str(&o.newPath)},
			{Short: 'R', Long: "rename", Set: task(taskRename)},
			{Short: 's', Long: "snapshot", Set: task(taskSnapshot)},
			{Short: 'a', Long: "allowrunning", Set: flag(&o.allowRunning, true)},
			{Short: 'F', Long: "foreground", Set: flag(&o.foreground, true)},
			{Short: 'd', Long: "daemon", Set: flag(&o.foreground, false)},
			{Short: 'e', Long: "ephemeral", Set: task(taskEphemeral)},
			{Short: 'm', Long: "mount", Arg: cli.RequiredArg, Set: func(v string) error {
				m, err := parseCopyMounts(v)
				o.mounts = append(o.mounts, m...)
				return err
			}},
			{Short: 'B', Long: "backingstorage", Arg: cli.RequiredArg, Set: func(v string) error {
				// Any prefix of "overlay" (LXC's strncmp) is overlayfs.
				if strings.HasPrefix("overlay", v) {
					v = "overlayfs"
				}
				o.bdev = v
				return nil
			}},
			{Short: 't', Long: "tmpfs", Set: flag(&o.tmpfs, true)},
			{Short: 'L', Long: "fssize", Arg: cli.RequiredArg, Set: str(&o.fssize)},
			{Short: 'D', Long: "keepdata", Set: flag(&o.keepData, true)},
			{Short: 'K', Long: "keepname", Set: flag(&o.keepName, true)},
			{Short: 'M', Long: "keepmac", Set: flag(&o.keepMAC, true)},
		},
		Run: func(c *cli.Ctx) int { return o.run(c) },
	}
	return t.Main(argv, stdin, stdout, stderr)
}

func (o *copyOpts) run(c *cli.Ctx) int {
	if o.newName == "" && o.task != taskEphemeral {
		c.Errorf("You must provide a NEWNAME for the clone (-N NEWNAME)")
		return 1
	}
	if o.newPath == "" {
		o.newPath = c.LXCPath
	}
	ct, code := openSteps{say: sayTool, clear: true, rcfile: "Failed to load rcfile {rcfile}: {err}",
		defined: "Container {name} is not defined"}.open(c, c.RCFile)
	if ct == nil {
		return code
	}
	if o.task == taskRename {
		if err := ct.Rename(o.newName); err != nil {
			c.Errorf("Renaming container %s to %s failed: %v", c.Name, o.newName, err)
			return 1
		}
		return 0
	}
	opts := lxc.CloneOptions{
		ConfigPath: o.newPath, KeepName: o.keepName, KeepMAC: o.keepMAC,
		Snapshot: o.task == taskSnapshot || o.task == taskEphemeral, AllowRunning: o.allowRunning,
		HookArgs: c.Args,
	}
	if o.task == taskEphemeral && o.tmpfs {
		if o.keepData || (o.bdev != "" && o.bdev != "overlayfs") {
			c.Errorf("A container can only be placed on a tmpfs when the overlay storage driver is used (-t needs -B overlay and no -D)")
			return 1
		}
		o.bdev = "overlayfs"
	}
	if o.bdev != "" {
		if err := storage.Unavailable(o.bdev); err != nil {
			c.Errorf("-B %s: %v", o.bdev, err)
			return 1
		}
		if err := opts.Backend.Set(o.bdev); err != nil {
			c.Errorf("-B %s: %v", o.bdev, err)
			return 1
		}
	}
	if o.fssize != "" {
		var err error
		if opts.NewSize, err = storage.ParseSize(o.fssize); err != nil {
			c.Errorf("-L: %v", err)
			return 1
		}
	}
	if o.task == taskEphemeral {
		return o.ephemeral(c, ct, opts)
	}
	if err := ct.Clone(o.newName, opts); err != nil {
		c.Errorf("Failed to clone %s to %s: %v", c.Name, o.newName, err)
		return 1
	}
	return 0
}

// randomName makes NEWPATH/NAME_XXXXXX (mode 0770) for an ephemeral
// clone without -N, as LXC's mkdtemp does.
func randomName(newPath, name string) (string, error) {
	if err := os.MkdirAll(newPath, 0o755); err != nil {
		return "", err
	}
	dir, err := mkdtemp(newPath, name+"_")
	if err != nil {
		return "", err
	}
	return filepath.Base(dir), os.Chmod(dir, 0o770)
}

// mkdtemp creates DIR/PREFIXXXXXXX with six random letters and digits,
// the names LXC's mkdtemp gives.
func mkdtemp(dir, prefix string) (string, error) {
	const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	for try := 0; try < 100; try++ {
		b := make([]byte, 6)
		for i := range b {
			b[i] = chars[rand.IntN(len(chars))]
		}
		p := filepath.Join(dir, prefix+string(b))
		err := os.Mkdir(p, 0o700)
		if errors.Is(err, os.ErrExist) {
			continue
		}
		return p, err
	}
	return "", fmt.Errorf("no free name %sXXXXXX in %s", prefix, dir)
}
