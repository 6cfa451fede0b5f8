package tools

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/lxc"
)

// lxc-sandbox is golxc's own tool (LXC has none): seed 004's
// zero-configuration sandbox (Fatdog64's sandbox-lxc.sh and
// rw-sandbox-lxc.sh) as a volatile container of package lxc.
func init() { register("lxc-sandbox", runSandbox) }

const sandboxHelp = `[OPTIONS] [-- COMMAND [ARGS...]]

lxc-sandbox runs COMMAND (default: your $SHELL, else /bin/sh) in a throw-away
container over the host's root filesystem: the host's / lies read-only under
a writable layer, whose changes vanish when COMMAND exits (or are kept with
--rw). COMMAND starts in the current directory when it is on the root
filesystem (other filesystems are not in the sandbox). The exit status is
COMMAND's. Nothing is asked: flags say what you want.

As a plain user the sandbox runs in a user namespace: its root is you (what
it writes in a --rw DIR is yours on the host), ids 1-65535 are your first
subordinate range (/etc/subuid, /etc/subgid), and host files of other users
(root's too) show as nobody's: readable, not writable. It needs that range
and a delegated cgroup, as golxc's unprivileged containers do; directory
layers only (no squashfs), no --idmap.

Options :
  -n, --name=NAME      a named sandbox: container NAME of the lxcpath (-P), seen by
                       lxc-ls, lxc-info and lxc-attach while it runs; hostname NAME
      --keep           with --name: leave it running in the background (until its
                       COMMAND ends or lxc-stop); default COMMAND then waits forever
      --rw=DIR         keep the changes in DIR (DIR/upper) and find them again next time
      --layer=DIR|FILE an extra read-only layer over the host's root: a directory or
                       a squashfs image; repeatable, each over the ones before
      --desktop        map the host's /tmp (X11), $XDG_RUNTIME_DIR (Wayland, PulseAudio)
                       and $XAUTHORITY in, and pass $DISPLAY and the like
      --idmap          user namespace: the sandbox's root is host uid/gid 10000, all
                       ids shifted by 10000 (IDMAP=yes in the seed); root only
      --net            a veth on a bridge with an address of its subnet, instead of an
                       own network namespace with lo only
      --bridge=BRIDGE  the bridge for --net (default lxcbr0)
      --ip=ADDR/PREFIX the address for --net (default: a free one of the bridge's subnet)
      --strict         also drop mac_admin, mac_override, sys_rawio and sys_boot
`

func runSandbox(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	lxc.RunSandboxGuardIfRequested()
	lxc.RunSandboxHookIfRequested(argv)
	var o lxc.SandboxOptions
	set := func(b *bool) func(string) error { return func(string) error { *b = true; return nil } }
	str := func(s *string) func(string) error { return func(v string) error { *s = v; return nil } }
	t := &cli.Tool{
		Name: "lxc-sandbox", Help: sandboxHelp, NameMode: cli.NameNoOperand, AlwaysLog: true,
		Options: []cli.Option{
			{Long: "keep", Set: set(&o.Keep), Extra: true},
			{Long: "rw", Arg: cli.RequiredArg, Set: str(&o.RWDir), Extra: true},
			{Long: "layer", Arg: cli.RequiredArg, Set: func(v string) error { o.Layers = append(o.Layers, v); return nil }, Extra: true},
			{Long: "desktop", Set: set(&o.Desktop), Extra: true},
			{Long: "idmap", Set: set(&o.IDMap), Extra: true},
			{Long: "net", Set: set(&o.Net), Extra: true},
			{Long: "bridge", Arg: cli.RequiredArg, Set: str(&o.Bridge), Extra: true},
			{Long: "ip", Arg: cli.RequiredArg, Set: str(&o.IPv4), Extra: true},
			{Long: "strict", Set: set(&o.Strict), Extra: true},
		},
		Check: func(c *cli.Ctx) error {
			switch {
			case o.Keep && c.Name == "":
				return errors.New("--keep needs --name: a sandbox left running is found by its name")
			case (o.Bridge != "" || o.IPv4 != "") && !o.Net:
				return errors.New("--bridge and --ip need --net")
			}
			return nil
		},
		Run: func(c *cli.Ctx) int {
			o.Name, o.LXCPath = c.Name, c.LXCPath
			o.LogFile, o.LogLevel, o.Quiet = c.LogFile, c.LogPriority, c.Quiet
			o.Command = c.Args
			o.Cwd, _ = os.Getwd()
			o.ProcessExitsAfter = true
			if len(o.Command) == 0 {
				o.Command = defaultSandboxCommand(o.Keep)
			}
			status, err := lxc.Sandbox(o)
			if err != nil {
				return c.Fail(err)
			}
			return status
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}

// defaultSandboxCommand is the caller's login shell (the sandbox's root is
// the host's, so it is there too), or a wait for a --keep sandbox that
// is entered with lxc-attach.
func defaultSandboxCommand(keep bool) []string {
	if keep {
		return []string{"/bin/sh", "-c", "while :; do sleep 3600; done"}
	}
	if sh := os.Getenv("SHELL"); filepath.IsAbs(sh) {
		if st, err := os.Stat(sh); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return []string{sh}
		}
	}
	return []string{"/bin/sh"}
}
