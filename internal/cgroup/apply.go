package cgroup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
)

// warnf reports things that are ignored on purpose (tests swap it).
var warnf = log.Warnf

// Apply writes the container's lxc.cgroup.* (v1) and lxc.cgroup2.* values
// into the payload limit cgroup, in config order. The first failure stops
// and names the key, e.g.
// "lxc.cgroup.memory.limit_in_bytes = 12x: write memory.limit_in_bytes: invalid argument".
func (c *Container) Apply(v1, v2 []config.KeyValue) error {
	if len(c.lim) == 0 {
		return fmt.Errorf("apply cgroup limits: CreatePayload was not called")
	}
	conv := func(prefix string, in []config.KeyValue) ([]kv, error) {
		out := make([]kv, 0, len(in))
		for _, e := range in {
			if err := checkKey(e.Key); err != nil {
				return nil, fmt.Errorf("%s%s = %s: %w", prefix, e.Key, e.Value, err)
			}
			out = append(out, kv{prefix: prefix, key: e.Key, value: e.Value})
		}
		return out, nil
	}
	l1, err := conv("lxc.cgroup.", v1)
	if err != nil {
		return err
	}
	l2, err := conv("lxc.cgroup2.", v2)
	if err != nil {
		return err
	}
	if err := c.drv.applyLegacy(c, l1); err != nil {
		return err
	}
	return c.drv.applyUnified(c, l2)
}

// checkKey accepts CONTROLLER.FILE names only: no path separators, so a
// key can never leave the cgroup directory.
func checkKey(k string) error {
	if k == "" || strings.ContainsAny(k, "/\x00") || strings.HasPrefix(k, ".") || !strings.Contains(k, ".") {
		return fmt.Errorf("invalid cgroup file name %q: want CONTROLLER.FILE, e.g. memory.max", k)
	}
	return nil
}

// writeKey writes one value into DIR/KEY; the error names the key.
func writeKey(dir string, e kv) error {
	var w keyWriter
	defer w.close()
	return w.write(dir, e)
}

// keyWriter writes config values into cgroup files, keeping the last file
// open: consecutive values of one key (the twelve lxc.cgroup.devices.allow
// lines of a template) take one open. Each write() to a cgroup file is
// taken on its own, whatever the offset.
type keyWriter struct {
	path string
	fd   int
}

func (w *keyWriter) close() {
	if w.path != "" {
		syscall.Close(w.fd)
		w.path = ""
	}
}

func (w *keyWriter) write(dir string, e kv) error {
	p := filepath.Join(dir, e.key)
	var err error
	if p != w.path {
		w.close()
		var fd int
		if fd, err = openRetry(p, syscall.O_WRONLY|syscall.O_CLOEXEC); err == nil {
			w.path, w.fd = p, fd
		}
	}
	if err == nil {
		err = writeFd(w.fd, e.value)
	}
	if err == nil {
		log.Debugf("Set %s%s to %q in %s", e.prefix, e.key, e.value, dir)
		return nil
	}
	hint := ""
	if errors.Is(err, syscall.ENOENT) {
		hint = " (no such cgroup file: check the controller is enabled and the name is right)"
	}
	return fmt.Errorf("%s%s = %s: write %s: %w%s", e.prefix, e.key, e.value, e.key, err, hint)
}

// hierarchyForKey finds where KEY ("memory.limit_in_bytes", "memory.max",
// "cgroup.procs") lives: the v1 hierarchy of its controller, else the
// unified one when the file exists there.
func (c *Container) hierarchyForKey(key string) (*Hierarchy, error) {
	if err := checkKey(key); err != nil {
		return nil, err
	}
	ctl, _, _ := strings.Cut(key, ".")
	for _, h := range c.l.Legacy() {
		if h.Has(ctl) {
			return h, nil
		}
	}
	if u := c.l.Unified(); u != nil {
		if c.l.Mode == Unified {
			return u, nil
		}
		if d, ok := c.lim[u]; ok {
			if _, err := os.Stat(filepath.Join(d, key)); err == nil {
				return u, nil
			}
		}
	}
	return nil, fmt.Errorf("%s: no mounted cgroup hierarchy has the %q controller", key, ctl)
}

// Get returns the raw content of the payload limit cgroup's file KEY,
// trailing newline included (lxc-cgroup prints it as is).
func (c *Container) Get(key string) (string, error) {
	h, err := c.hierarchyForKey(key)
	if err != nil {
		return "", err
	}
	d, ok := c.lim[h]
	if !ok {
		return "", fmt.Errorf("get %s: no payload cgroup", key)
	}
	b, err := os.ReadFile(filepath.Join(d, key))
	if err != nil {
		return "", fmt.Errorf("get %s: %w", key, err)
	}
	return string(b), nil
}

// Set writes VALUE to the payload limit cgroup's file KEY.
func (c *Container) Set(key, value string) error {
	h, err := c.hierarchyForKey(key)
	if err != nil {
		return err
	}
	d, ok := c.lim[h]
	if !ok {
		return fmt.Errorf("set %s: no payload cgroup", key)
	}
	prefix := "lxc.cgroup."
	if h.Unified {
		prefix = "lxc.cgroup2."
	}
	return writeKey(d, kv{prefix: prefix, key: key, value: value})
}
