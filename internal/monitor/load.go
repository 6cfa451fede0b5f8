package monitor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/lock"
	"github.com/golxc/golxc/internal/log"
)

// load reads the configuration, applies -s defines and the command-line
// overrides, and builds the spec.
func (m *monitor) load() error {
	cfg := config.New()
	if m.o.ConfigFile != "" {
		if err := cfg.Load(m.o.ConfigFile); err != nil {
			return err
		}
	}
	set := func(k, v string) error {
		if err := cfg.Set(k, v); err != nil {
			return fmt.Errorf("%s = %s: %w", k, v, err)
		}
		return nil
	}
	for _, d := range m.o.Defines {
		k, v, ok := strings.Cut(d, "=")
		if !ok {
			return fmt.Errorf("-s %s: expected KEY=VALUE", d)
		}
		if err := set(strings.TrimSpace(k), unquote(strings.TrimSpace(v))); err != nil {
			return err
		}
	}
	overrides := [][2]string{{"lxc.console.path", m.o.ConsolePath}, {"lxc.console.logfile", m.o.ConsoleLog}}
	if m.o.UID >= 0 && m.o.Execute {
		overrides = append(overrides, [2]string{"lxc.init.uid", strconv.Itoa(m.o.UID)})
	}
	if m.o.GID >= 0 && m.o.Execute {
		overrides = append(overrides, [2]string{"lxc.init.gid", strconv.Itoa(m.o.GID)})
	}
	for ns, v := range m.o.Share {
		overrides = append(overrides, [2]string{"lxc.namespace.share." + ns, v})
	}
	for _, kv := range overrides {
		if kv[1] == "" {
			continue
		}
		if err := set(kv[0], kv[1]); err != nil {
			return err
		}
	}
	spec, err := cfg.Spec()
	if err != nil {
		return err
	}
	if err := refuseHostInit(spec, m.o); err != nil {
		return err
	}
	m.cfg, m.spec = cfg, spec
	if err := m.setupLogging(); err != nil {
		return err
	}
	logLeakedFDsClosed()
	log.Debugf("Loaded configuration file %q", m.o.ConfigFile)
	return nil
}

// setupLogging opens the monitor's log as LXC chooses it (log.Choose); a
// -o file that cannot be opened fails the start, as LXC's lxc-start exits.
func (m *monitor) setupLogging() error {
	prefix := m.o.LogPrefix
	if prefix == "" {
		prefix = "lxc-start"
		if m.o.Execute {
			prefix = "lxc-execute"
		}
	}
	// A foreground start keeps stderr for errors; the daemon has none.
	quiet := m.o.Quiet || m.o.Daemonize
	return logChoice(m.o, m.spec.Log).Apply(prefix, m.o.Name, quiet)
}

// logChoice is log.Choose with the monitor's options and lxc.log.*.
func logChoice(o Options, l config.LogSpec) log.Choice {
	def := ""
	if o.LogLevel != "" {
		def = log.DefaultFile(o.LXCPath, config.DefaultLXCPath(), o.Name)
	}
	return log.Choose(o.LogFile, o.LogLevel, l.File, l.Level, def)
}

func (m *monitor) configItem(key string) (string, error) {
	if _, in := m.current(); in != nil {
		if v, ok := netConfigItem(in, key); ok {
			return v, nil
		}
	}
	return m.cfg.Get(key)
}

// claim makes this process the container's only monitor: under the
// container lock, refuse if a monitor serves the socket, else bind it.
// already reports that another monitor owns the container.
func (m *monitor) claim() (already bool, err error) {
	l := lock.Container(runDir(), m.o.LXCPath, m.o.Name)
	if err := l.Lock(context.Background()); err != nil {
		return false, err
	}
	defer l.Unlock()
	if isRunning(m.o.LXCPath, m.o.Name) {
		return true, nil
	}
	m.sweepStale()
	if st, err := lock.CheckPartial(filepath.Join(m.o.LXCPath, m.o.Name)); err == nil && st != lock.PartialNone {
		return false, fmt.Errorf("container is being created or its creation failed (%s %s marker); wait, or destroy it", st, lock.PartialName)
	}
	// The config was read before the lock: a destroy may have finished
	// in between, and booting would then fail halfway on a missing rootfs.
	if m.o.ConfigFile != "" {
		if _, err := os.Stat(m.o.ConfigFile); err != nil {
			return false, fmt.Errorf("the container was destroyed while starting (%s: %v)", m.o.ConfigFile, errors.Unwrap(err))
		}
	}
	srv, err := cmdsock.Listen(m.o.LXCPath, m.o.Name, m)
	if errors.Is(err, cmdsock.ErrAlreadyRunning) {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	m.srv = srv
	return false, nil
}

// isRunning: a monitor answers on the command socket, whatever the state
// it reports (one tearing down reads STOPPED but still owns its cgroups).
func isRunning(lxcpath, name string) bool { return cmdsock.Answers(lxcpath, name) }

// runDir is LXC's runtime directory: the lock files there must be the ones
// lxc-create/lxc-destroy take (package lxc uses the same function).
func runDir() string { return config.RuntimeDir() }

func unquote(v string) string {
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		return v[1 : len(v)-1]
	}
	return v
}

// splitShellWords splits lxc.init.cmd / lxc.execute.cmd like a shell:
// whitespace separates words, quotes group, backslash escapes.
func splitShellWords(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	var quote rune
	escaped := false
	for _, r := range s {
		switch {
		case escaped:
			cur.WriteRune(r)
			escaped = false
		case r == '\\' && quote != '\'':
			escaped, inWord = true, true
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t' || r == '\n':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 || escaped {
		return nil, fmt.Errorf("unterminated quote or escape in command %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	if len(words) == 0 {
		return nil, fmt.Errorf("empty command")
	}
	return words, nil
}

// refuseHostInit stops a system container start that would boot the host's
// own /sbin/init on the host's root (a config without lxc.rootfs.path).
// LXC does it and the host's init system then acts on the host's files
// (systemd-tmpfiles empties /tmp, for one); golxc asks for an explicit
// lxc.rootfs.path = / instead.
func refuseHostInit(spec *config.Spec, o Options) error {
	if o.Execute || len(o.Command) > 0 || spec.Init.Cmd != "" || spec.Rootfs.Path != "" {
		return nil
	}
	return errors.New("lxc.rootfs.path is not set: starting /sbin/init on the host's own root would boot the host's init system; set lxc.rootfs.path (lxc.rootfs.path = / if that is really meant), or give a command")
}
