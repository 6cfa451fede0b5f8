package tools

import (
	"errors"
	"io"
	"os"
	"strconv"

	"github.com/golxc/golxc/internal/attach"
	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/lxc"
	"golang.org/x/sys/unix"
)

func init() { register("lxc-attach", runAttach) }

const attachHelp = `--name=NAME [-- COMMAND]

Execute the specified COMMAND - enter the container NAME

Options :
  -n, --name=NAME   NAME of the container
  -e, --elevated-privileges=PRIVILEGES
                    Use elevated privileges instead of those of the
                    container. If you don't specify privileges to be
                    elevated as OR'd list: CAP, CGROUP and LSM (capabilities,
                    cgroup and restrictions, respectively) then all of them
                    will be elevated.
                    WARNING: This may leak privileges into the container.
                    Use with care.
  -a, --arch=ARCH   Use ARCH for program instead of container's own
                    architecture.
  -s, --namespaces=FLAGS
                    Don't attach to all the namespaces of the container
                    but just to the following OR'd list of flags:
                    MOUNT, PID, UTSNAME, IPC, USER or NETWORK.
                    WARNING: Using -s implies -e with all privileges
                    elevated, it may therefore leak privileges into the
                    container. Use with care.
  -R, --remount-sys-proc
                    Remount /sys and /proc if not attaching to the
                    mount namespace when using -s in order to properly
                    reflect the correct namespace context. See the
                    lxc-attach(1) manual page for details.
      --clear-env   Clear all environment variables before attaching.
                    The attached shell/program will start with only
                    container=lxc set.
      --keep-env    Keep all current environment variables. This
                    is the current default behaviour, but is likely to
                    change in the future.
  -L, --pty-log=FILE
                    Log pty output to FILE
  -v, --set-var     Set an additional variable that is seen by the
                    attached program in the container. May be specified
                    multiple times.
      --keep-var    Keep an additional environment variable. Only
                    applicable if --clear-env is specified. May be used
                    multiple times.
  -f, --rcfile=FILE
                    Load configuration file FILE
  -u, --uid=UID     Execute COMMAND with UID inside the container
  -g, --gid=GID     Execute COMMAND with GID inside the container
  -c, --context=context
                    SELinux Context to transition into
`

type attachOpts struct {
	elevated   attach.Privileges
	arch       lxc.Personality
	namespaces int
	remount    bool
	clearEnv   bool
	setVars    []string
	keepVars   []string
	ptyLog     string
	rcfile     string
	uid, gid   int
	context    string
}

// errBadCmdline makes the framework print LXC's parse failure line.
var errBadCmdline = errors.New("could not parse command line")

func runAttach(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o := &attachOpts{arch: -1, namespaces: -1, uid: -1, gid: -1}
	id := func(p *int) func(string) error {
		return func(v string) error {
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil || n == 1<<32-1 {
				return errBadCmdline
			}
			*p = int(n)
			return nil
		}
	}
	t := &cli.Tool{
		Name: "lxc-attach", Help: attachHelp, AlwaysLog: true,
		Options: []cli.Option{
			{Short: 'e', Long: "elevated-privileges", Arg: cli.OptionalArg, Set: func(v string) error {
				p, err := attach.ParsePrivileges(v)
				if err != nil {
					return errBadCmdline
				}
				o.elevated |= p
				return nil
			}},
			{Short: 'a', Long: "arch", Arg: cli.RequiredArg, Set: func(v string) error {
				p, err := attach.ParseArch(v)
				if err != nil {
					return errBadCmdline
				}
				o.arch = lxc.Personality(p)
				return nil
			}},
			{Short: 's', Long: "namespaces", Arg: cli.RequiredArg, Set: func(v string) error {
				ns, err := attach.ParseNamespaces(v)
				if err != nil {
					return errBadCmdline
				}
				o.namespaces = ns
				o.elevated = attach.KeepAll // -s implies -e
				return nil
			}},
			{Short: 'R', Long: "remount-sys-proc", Set: func(string) error { o.remount = true; return nil }},
			{Long: "clear-env", Set: func(string) error { o.clearEnv = true; return nil }},
			{Long: "keep-env", Set: func(string) error { o.clearEnv = false; return nil }},
			{Long: "keep-var", Arg: cli.RequiredArg, Set: func(v string) error { o.keepVars = append(o.keepVars, v); return nil }},
			{Short: 'v', Long: "set-var", Arg: cli.RequiredArg, Set: func(v string) error { o.setVars = append(o.setVars, v); return nil }},
			{Short: 'L', Long: "pty-log", Arg: cli.RequiredArg, Set: func(v string) error { o.ptyLog = v; return nil }},
			{Short: 'f', Long: "rcfile", Arg: cli.RequiredArg, Set: func(v string) error { o.rcfile = v; return nil }},
			{Short: 'u', Long: "uid", Arg: cli.RequiredArg, Set: id(&o.uid)},
			{Short: 'g', Long: "gid", Arg: cli.RequiredArg, Set: id(&o.gid)},
			{Short: 'c', Long: "context", Arg: cli.RequiredArg, Set: func(v string) error { o.context = v; return nil }},
		},
		Run: func(c *cli.Ctx) int { return o.run(c) },
	}
	return t.Main(argv, stdin, stdout, stderr)
}

func (o *attachOpts) run(c *cli.Ctx) int {
	if os.Geteuid() != 0 && unix.Access(c.LXCPath, unix.R_OK) != nil {
		log.Errorf("You lack access to %s", c.LXCPath)
		return 1
	}
	rc := o.rcfile
	if rc == "" {
		rc = c.RCFile
	}
	ct, code := openSteps{say: sayLog, configLog: true, clear: true, rcfile: "Failed to load rcfile",
		control: "Insufficent privileges to control {name}"}.open(c, rc)
	if ct == nil {
		return code
	}
	if err := ct.ConfigError(); err != nil {
		log.Errorf("%v", err)
		return 1
	}
	if o.context != "" {
		if o.elevated&attach.KeepLSM != 0 {
			log.Errorf("Cannot combine elevated LSM privileges while requesting LSM profile")
			return 1
		}
		// golxc applies no LSM yet: refuse rather than run unconfined.
		log.Errorf("SELinux context %q requested, but golxc does not support SELinux", o.context)
		return 1
	}
	opts := lxc.DefaultAttachOptions
	opts.Namespaces = o.namespaces
	opts.Arch = o.arch
	opts.Cwd = ""
	opts.UID, opts.GID = o.uid, o.gid
	opts.ClearEnv = o.clearEnv
	opts.Env, opts.EnvToKeep = o.setVars, o.keepVars
	opts.RemountSysProc = o.remount
	opts.Elevated = o.elevated
	opts.Terminal = lxc.AttachTerminalAuto
	opts.Quiet = c.Quiet
	opts.LogPrefix = c.Prog
	if o.ptyLog != "" {
		f, err := os.OpenFile(o.ptyLog, os.O_RDWR|os.O_CREATE|os.O_APPEND|unix.O_CLOEXEC, 0o600)
		if err != nil {
			log.Errorf("%s - Failed to open log file \"%s\"", errnoText(err), o.ptyLog)
			return 1
		}
		defer f.Close()
		opts.PtyLog = f
	}
	opts.ProcessExitsAfter = true // the tool returns its exit code next
	code, err := ct.Attach(c.Args, opts)
	var intr *attach.Interrupted
	if errors.As(err, &intr) {
		log.Errorf("%v", err)
		return code
	}
	if err != nil {
		var ae *attach.Error
		if errors.As(err, &ae) {
			if attach.IsNotRunning(err) {
				log.Errorf("Connection refused - Failed to get init pid")
				log.Errorf("Connection refused - Failed to get attach context")
				return 1
			}
			if errors.Is(err, attach.ErrStopped) {
				log.Errorf("%s: %v", ae.Step, attach.ErrStopped)
				return 1
			}
			log.Errorf("%s - %s", errnoText(ae.Err), ae.Step)
			return 1
		}
		log.Errorf("%v", err)
		return 1
	}
	return code
}

// errnoText is strerror of err's errno, else its text.
func errnoText(err error) string {
	var errno unix.Errno
	if errors.As(err, &errno) {
		s := errno.Error()
		return string(s[0]-'a'+'A') + s[1:]
	}
	if err == nil {
		return "Unknown error"
	}
	return err.Error()
}
