package tools

import (
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/storage"
	"github.com/golxc/golxc/internal/selfexe"
	"github.com/golxc/golxc/internal/templates"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-create", runCreate) }

const createHelp = `--name=NAME --template=TEMPLATE [OPTION...] [-- template-options]

lxc-create creates a container

Options :
  -n, --name=NAME               NAME of the container
  -f, --config=CONFIG           Initial configuration file
  -t, --template=TEMPLATE       Template to use to setup container
  -B, --bdev=BDEV               Backing store type to use
      --dir=DIR                 Place rootfs directory under DIR

  BDEV options for LVM (with -B/--bdev lvm):
      --lvname=LVNAME           Use LVM lv name LVNAME
                                (Default: container name)
      --vgname=VG               Use LVM vg called VG
                                (Default: lxc)
      --thinpool=TP             Use LVM thin pool called TP
                                (Default: lxc)

  BDEV options for Ceph RBD (with -B/--bdev rbd) :
      --rbdname=RBDNAME         Use Ceph RBD name RBDNAME
                                (Default: container name)
      --rbdpool=POOL            Use Ceph RBD pool name POOL
                                (Default: lxc)

  BDEV option for ZFS (with -B/--bdev zfs) :
      --zfsroot=PATH            Create zfs under given zfsroot
                                (Default: tank/lxc)

  BDEV options for LVM or Loop (with -B/--bdev lvm/loop) :
      --fstype=TYPE             Create fstype TYPE
                                (Default: ext4)
      --fssize=SIZE[U]          Create filesystem of
                                size SIZE * unit U (bBkKmMgGtT)
                                (Default: 1G, default unit: M)
  -- template-options
         This will pass template-options to the template as arguments.
         To see the list of options supported by the template,
         you can run lxc-create -t <template> -h.
`

// validBdevs: the storage drivers' names, plus "best" and "none" (dir).
var validBdevs = append(storage.Names(), "best", "none")

type createOpts struct {
	bdev, config, template, dir string
	fstype, fssize              string
	lvm, rbd, zfs, fs           bool
	help                        bool
}

func runCreate(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &createOpts{}
	str := func(p *string) func(string) error { return func(v string) error { *p = v; return nil } }
	mark := func(p *bool) func(string) error { return func(string) error { *p = true; return nil } }
	t := &cli.Tool{
		Name: "lxc-create", Help: createHelp, AlwaysLog: true,
		Options: []cli.Option{
			{Short: 'B', Long: "bdev", Arg: cli.RequiredArg, Set: str(&o.bdev)},
			{Short: 'f', Long: "config", Arg: cli.RequiredArg, Set: str(&o.config)},
			{Short: 't', Long: "template", Arg: cli.RequiredArg, Set: str(&o.template)},
			{Short: '0', Long: "lvname", Arg: cli.RequiredArg, Set: mark(&o.lvm)},
			{Short: '1', Long: "vgname", Arg: cli.RequiredArg, Set: mark(&o.lvm)},
			{Short: '2', Long: "thinpool", Arg: cli.RequiredArg, Set: mark(&o.lvm)},
			{Short: '3', Long: "fstype", Arg: cli.RequiredArg, Set: func(v string) error { o.fs, o.fstype = true, v; return nil }},
			{Short: '4', Long: "fssize", Arg: cli.RequiredArg, Set: func(v string) error { o.fs, o.fssize = true, v; return nil }},
			{Short: '5', Long: "zfsroot", Arg: cli.RequiredArg, Set: mark(&o.zfs)},
			{Short: '6', Long: "dir", Arg: cli.RequiredArg, Set: str(&o.dir)},
			{Short: '7', Long: "rbdname", Arg: cli.RequiredArg, Set: mark(&o.rbd)},
			{Short: '8', Long: "rbdpool", Arg: cli.RequiredArg, Set: mark(&o.rbd)},
		},
		Run: func(c *cli.Ctx) int { return o.run(c) },
	}
	code := t.Main(argv, stdin, stdout, stderr)
	if tmpl, ok := helpWithTemplate(argv[1:]); ok && code == 0 {
		templateHelp(tmpl, stdout, stderr)
	}
	return code
}

// helpWithTemplate finds "-h/--help" together with "-t T" on the command line.
func helpWithTemplate(args []string) (string, bool) {
	var tmpl string
	help := false
	for i, a := range args {
		switch {
		case a == "--":
			return tmpl, help && tmpl != ""
		case a == "-h" || a == "--help" || a == "-?":
			help = true
		case (a == "-t" || a == "--template") && i+1 < len(args):
			tmpl = args[i+1]
		case strings.HasPrefix(a, "--template="):
			tmpl = strings.TrimPrefix(a, "--template=")
		case strings.HasPrefix(a, "-t") && len(a) > 2:
			tmpl = a[2:]
		}
	}
	return tmpl, help && tmpl != ""
}

func (o *createOpts) run(c *cli.Ctx) int {
	if o.template == "" {
		c.Errorf("A template must be specified")
		c.Errorf("Use \"none\" if you really want a container without a rootfs")
		return 1
	}
	if o.bdev == "" {
		o.bdev = "dir"
	}
	if !contains(validBdevs, o.bdev) {
		c.Errorf("%s is not a valid backing storage type", o.bdev)
		return 1
	}
	switch {
	case o.fs && o.bdev != "lvm" && o.bdev != "loop" && o.bdev != "rbd":
		c.Errorf("Filesystem type and size are only valid with block devices")
		return 1
	case o.lvm && o.bdev != "lvm":
		c.Errorf("--lvname, --vgname and --thinpool are only valid with -B lvm")
		return 1
	case o.rbd && o.bdev != "rbd":
		c.Errorf("--rbdname and --rbdpool are only valid with -B rbd")
		return 1
	case o.zfs && o.bdev != "zfs":
		c.Errorf("zfsroot is only valid with -B zfs")
		return 1
	}
	if err := storage.Unavailable(o.bdev); err != nil && o.bdev != "none" && o.bdev != "best" {
		c.Errorf("%v", err)
		return 1
	}
	specs := &lxc.BackendStoreSpecs{FSType: o.fstype}
	if o.fssize != "" {
		size, err := storage.ParseSize(o.fssize)
		if err != nil {
			c.Errorf("--fssize: %v", err)
			return 1
		}
		specs.FSSize = size
	}
	backend := lxc.Directory
	if o.bdev != "none" {
		if err := backend.Set(o.bdev); err != nil {
			c.Errorf("%v", err)
			return 1
		}
	}
	if o.dir != "" && !filepath.IsAbs(o.dir) {
		c.Errorf("--dir should use absolute path")
		return 1
	}
	ct, err := lxc.NewContainer(c.Name, c.LXCPath)
	if err != nil {
		return c.Fail(err)
	}
	if ct.Defined() {
		c.Errorf("Container already exists")
		return 1
	}
	if c.Quiet {
		ct.SetVerbosity(lxc.Quiet)
	}
	opts := lxc.TemplateOptions{Template: o.template, Backend: backend, BackendSpecs: specs, ConfigFile: o.config, ExtraArgs: c.Args}
	if o.dir != "" {
		specs.Dir = &o.dir
	}
	if err := ct.Create(opts); err != nil {
		var nf *templates.NotFoundError
		if errors.As(err, &nf) {
			c.Errorf("%v", err)
			return 1
		}
		return c.Fail(err)
	}
	return 0
}

// templateHelp runs "TEMPLATE -h" after lxc-create's own help, as LXC does.
func templateHelp(tmpl string, stdout, stderr io.Writer) {
	path, builtin, err := templates.Resolve(tmpl, lxc.TemplateDirs)
	if builtin == templates.BuiltinDownload {
		if helper, err := selfexe.Helper(selfexe.ImageHelper); err == nil {
			cmd := exec.Command(helper, "download", "-h")
			cmd.Stdout, cmd.Stderr = stdout, stderr
			_ = cmd.Run()
		}
		return
	}
	if err != nil || builtin != "" || path == "" {
		return
	}
	cmd := exec.Command(path, "-h")
	cmd.Stdout, cmd.Stderr = stdout, stderr
	_ = cmd.Run()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
