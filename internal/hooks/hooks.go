// Package hooks runs lxc.hook.* commands with LXC's calling convention:
// each value is run as `/bin/sh -c "exec VALUE ARGS"`, stdout and stderr are
// captured into the log, and a non-zero exit fails the hook.
package hooks

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/namespace"
	"github.com/golxc/golxc/internal/timerslack"
)

// Hook types, in the order a start runs them.
const (
	PreStart  = "pre-start"
	PreMount  = "pre-mount"
	Mount     = "mount"
	Autodev   = "autodev"
	Start     = "start"
	StartHost = "start-host"
	Stop      = "stop"
	PostStop  = "post-stop"
	Clone     = "clone"
	Destroy   = "destroy"
)

// Context is what LXC exposes to a hook. Zero fields are left out.
type Context struct {
	Name        string
	ConfigFile  string
	RootfsMount string
	RootfsPath  string // without the "dir:" style prefix
	Console     string
	ConsoleLog  string
	LogLevel    string // level name, default ERROR
	Version     int    // lxc.hook.version (0 or 1)

	PID    int               // init pid (host view); start-host, stop, post-stop
	NS     map[string]string // ns name ("mnt") -> /proc/MONITOR/fd/N; stop, post-stop
	Target string            // "stop" or "reboot"; stop, post-stop

	ExtraEnv  []string // e.g. container_ttys=..., LXC_SRC_NAME=...
	ExtraArgs []string // v0 only: appended after NAME lxc TYPE (clone args)

	// BaseEnv is the environment the hook inherits; nil = os.Environ().
	BaseEnv []string
	// Dir is the working directory; "" = the caller's.
	Dir string
}

// Run runs every command of one hook type in order and stops at the first
// failure.
func Run(hookType string, cmds []string, c Context) error {
	for _, cmd := range cmds {
		if err := RunOne(hookType, cmd, c); err != nil {
			return err
		}
	}
	return nil
}

// RunOne runs a single hook command.
func RunOne(hookType, value string, c Context) error {
	argv, env := Command(hookType, value, c)
	script := argv[2]
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	cmd.Dir = c.Dir
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Stderr = &out
	log.Infof("Executing script %q for container %q, config section %q", value, c.Name, hookType)
	err := timerslack.Run(cmd)
	if out.Len() > 0 {
		log.Debugf("Script exec %s produced output: %s", script, strings.TrimRight(out.String(), "\n"))
	}
	if err == nil {
		log.Debugf("Script %q (%s hook) exited with status 0", value, hookType)
		return nil
	}
	tail := lastLine(out.String())
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		ws := ee.Sys().(syscall.WaitStatus)
		what := fmt.Sprintf("exited with status %d", ws.ExitStatus())
		if ws.Signaled() {
			what = fmt.Sprintf("was killed by signal %d (%s)", int(ws.Signal()), ws.Signal())
		}
		if tail != "" {
			return fmt.Errorf("%s hook %q %s: %s", hookType, value, what, tail)
		}
		return fmt.Errorf("%s hook %q %s", hookType, value, what)
	}
	return fmt.Errorf("%s hook %q: %v", hookType, value, err)
}

// Command is how a hook value runs: /bin/sh -c "exec VALUE ARGS", with
// its environment (for a caller that starts it elsewhere, as the C init
// stage does).
func Command(hookType, value string, c Context) (argv, env []string) {
	args := Args(hookType, c)
	script := "exec " + value
	if len(args) > 0 {
		script += " " + strings.Join(args, " ")
	}
	return []string{"/bin/sh", "-c", script}, Env(hookType, c)
}

// Args are the positional arguments appended to the hook value.
func Args(hookType string, c Context) []string {
	if c.Version != 0 {
		return nil
	}
	a := []string{c.Name, "lxc", hookType}
	if hookType == Stop {
		// In LXC's ns_info order, as LXC lists preserved namespaces.
		for _, ns := range namespace.All() {
			if p, ok := c.NS[ns.Name]; ok {
				a = append(a, ns.Name+":"+p)
			}
		}
	}
	return append(a, c.ExtraArgs...)
}

// Env builds the hook's environment: the inherited one plus LXC_* vars.
func Env(hookType string, c Context) []string {
	base := c.BaseEnv
	if base == nil {
		base = os.Environ()
	}
	set := map[string]string{}
	for _, kv := range base {
		if k, v, ok := strings.Cut(kv, "="); ok {
			set[k] = v
		}
	}
	put := func(k, v string) {
		if v != "" {
			set[k] = v
		}
	}
	put("LXC_NAME", c.Name)
	put("LXC_CONFIG_FILE", c.ConfigFile)
	put("LXC_ROOTFS_MOUNT", c.RootfsMount)
	put("LXC_ROOTFS_PATH", c.RootfsPath)
	put("LXC_CONSOLE", c.Console)
	put("LXC_CONSOLE_LOGPATH", c.ConsoleLog)
	set["LXC_CGNS_AWARE"] = "1"
	lvl := c.LogLevel
	if lvl == "" {
		lvl = "ERROR"
	}
	set["LXC_LOG_LEVEL"] = lvl
	set["LXC_HOOK_VERSION"] = strconv.Itoa(c.Version)
	if c.Version != 0 {
		set["LXC_HOOK_TYPE"] = hookType
		set["LXC_HOOK_SECTION"] = "lxc"
	}
	if c.PID > 0 {
		set["LXC_PID"] = strconv.Itoa(c.PID)
	}
	for ns, p := range c.NS {
		set["LXC_"+strings.ToUpper(ns)+"_NS"] = p
	}
	put("LXC_TARGET", c.Target)
	for _, kv := range c.ExtraEnv {
		if k, v, ok := strings.Cut(kv, "="); ok {
			set[k] = v
		}
	}
	env := make([]string, 0, len(set))
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	return env
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}
