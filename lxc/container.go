// Package lxc is golxc's public Go API, shaped like go-lxc
// (github.com/lxc/go-lxc) but implemented in pure Go. Every lxc-* tool
// is a thin layer over it. Other programs can use it too: the processes
// golxc needs besides the caller (the monitor, the container's init, the
// attach stage) run the installed golxc binary (see SetGolxcBinary).
package lxc

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/golxc/golxc/internal/config"
)

// Container is one container, identified by name and lxcpath.
type Container struct {
	mu      sync.RWMutex
	name    string
	lxcpath string
	conf    *config.Config
	// loadErr keeps a failed config load: the container object still
	// exists (so it can be destroyed) but operations that need the config
	// report the error.
	loadErr   error
	daemonize bool
	closeFds  bool
	verbosity Verbosity
	errorNum  int
}

// Verbosity says whether templates and tools may print.
type Verbosity int

const (
	Quiet Verbosity = 1 << iota
	Verbose
)

// NewContainer returns the container NAME of lxcpath (the default lxcpath
// when none is given), with its config loaded when it exists. A container
// left half-created by an interrupted create is removed here, as LXC does.
func NewContainer(name string, lxcpath ...string) (*Container, error) {
	if err := ValidateName(name); err != nil {
		return nil, err
	}
	var p string
	if len(lxcpath) > 0 && lxcpath[0] != "" {
		p = strings.TrimRight(lxcpath[0], "/")
		if p == "" {
			p = "/"
		}
	} else {
		p = config.DefaultLXCPath() // only when needed: it reads lxc.conf
	}
	c := &Container{name: name, lxcpath: p, daemonize: true}
	if err := c.cleanStalePartial(); err != nil {
		return nil, err
	}
	c.conf = config.New()
	if c.Defined() {
		if err := c.conf.Load(c.ConfigFileName()); err != nil {
			c.loadErr = err
		}
	}
	return c, nil
}

// Release exists for go-lxc compatibility; golxc containers hold no C
// resources.
func (c *Container) Release() error { return nil }

// Name returns the container's name.
func (c *Container) Name() string { return c.name }

// String returns the name.
func (c *Container) String() string { return c.name }

// ConfigPath returns the lxcpath.
func (c *Container) ConfigPath() string { return c.lxcpath }

// SetConfigPath changes the lxcpath and reloads the config from there.
func (c *Container) SetConfigPath(path string) error {
	c.mu.Lock()
	c.lxcpath = strings.TrimRight(path, "/")
	c.conf, c.loadErr = config.New(), nil
	c.mu.Unlock()
	if c.Defined() {
		return c.LoadConfigFile(c.ConfigFileName())
	}
	return nil
}

// Dir is LXCPATH/NAME.
func (c *Container) Dir() string { return filepath.Join(c.lxcpath, c.name) }

// ConfigFileName is LXCPATH/NAME/config.
func (c *Container) ConfigFileName() string { return filepath.Join(c.Dir(), "config") }

// Defined reports whether the container's config file exists.
func (c *Container) Defined() bool {
	_, err := os.Stat(c.ConfigFileName())
	return err == nil
}

// ConfigError returns the error of the last config load, if any.
func (c *Container) ConfigError() error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.loadErr
}

// Config gives read access to the loaded config (tools use it for Spec).
func (c *Container) Config() *config.Config {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.conf
}

// ErrorNum returns the last error number (exit status of a failed start).
func (c *Container) ErrorNum() int { return c.errorNum }

// Daemonize reports whether Start daemonizes.
func (c *Container) Daemonize() bool { return c.daemonize }

// WantDaemonize sets whether Start daemonizes.
func (c *Container) WantDaemonize(state bool) error { c.daemonize = state; return nil }

// WantCloseAllFds sets whether inherited fds are closed at start.
func (c *Container) WantCloseAllFds(state bool) error { c.closeFds = state; return nil }

// SetVerbosity sets Quiet or Verbose.
func (c *Container) SetVerbosity(v Verbosity) { c.verbosity = v }

// ConfigItem returns a config value in LXC's get_config_item text format,
// split into lines.
func (c *Container) ConfigItem(key string) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	v, err := c.conf.Get(key)
	if err != nil {
		return nil
	}
	return splitItem(v)
}

// ConfigItemText returns the raw get_config_item text, with an error for
// unknown keys.
func (c *Container) ConfigItemText(key string) (string, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.conf.Get(key)
}

func splitItem(v string) []string {
	v = strings.TrimSuffix(v, "\n")
	if v == "" {
		return []string{""}
	}
	return strings.Split(v, "\n")
}

// SetConfigItem sets a key in the in-memory config (SaveConfigFile writes it).
func (c *Container) SetConfigItem(key, value string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.conf.Set(key, value); err != nil {
		return fmt.Errorf("%w: %v", ErrSettingConfigItem, err)
	}
	return nil
}

// ClearConfigItem clears a key.
func (c *Container) ClearConfigItem(key string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.conf.Clear(key); err != nil {
		return fmt.Errorf("%w: %v", ErrClearingConfigItem, err)
	}
	return nil
}

// ClearConfig drops the loaded config.
func (c *Container) ClearConfig() {
	c.mu.Lock()
	c.conf, c.loadErr = config.New(), nil
	c.mu.Unlock()
}

// ConfigKeys lists keys (all, or the sub-keys of a prefix such as lxc.net.0).
func (c *Container) ConfigKeys(key ...string) []string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	prefix := ""
	if len(key) > 0 {
		prefix = key[0]
	}
	return c.conf.Keys(prefix)
}

// LoadConfigFile replaces the in-memory config with the file's.
func (c *Container) LoadConfigFile(path string) error {
	conf := config.New()
	err := conf.Load(path)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.conf, c.loadErr = conf, err
	return err
}

// SaveConfigFile writes the config (unexpanded text) to path, creating the
// container directory when path is its own config file.
func (c *Container) SaveConfigFile(path string) error {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if path == "" {
		path = c.ConfigFileName()
	}
	if path == c.ConfigFileName() {
		if err := mkdirContainerDir(c.Dir()); err != nil {
			return err
		}
	}
	return c.conf.Save(path)
}

// mkdirContainerDir creates LXCPATH (0755) and LXCPATH/NAME (0770), as LXC.
func mkdirContainerDir(dir string) error {
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return fmt.Errorf("create lxcpath %s: %w", filepath.Dir(dir), err)
	}
	if err := os.Mkdir(dir, 0o770); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create container directory %s: %w", dir, err)
	}
	return os.Chmod(dir, 0o770)
}

// Spec returns the typed view of the loaded config.
func (c *Container) Spec() (*config.Spec, error) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if c.loadErr != nil {
		return nil, c.loadErr
	}
	return c.conf.Spec()
}
