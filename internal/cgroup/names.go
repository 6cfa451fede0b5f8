package cgroup

import (
	"fmt"
	"path"
	"strings"
)

// Names LXC gives its cgroups (cgroup.h).
const (
	monitorPrefix  = "lxc.monitor."
	payloadPrefix  = "lxc.payload."
	pivotName      = "lxc.pivot"
	patternMonitor = "monitor"
	patternPayload = "payload"
	maxSuffix      = 1000 // tries NAME, NAME-1 ... NAME-999
)

// Options places a container's cgroups; the fields mirror the config keys.
type Options struct {
	Name         string // container name
	Dir          string // lxc.cgroup.dir
	DirContainer string // lxc.cgroup.dir.container
	DirMonitor   string // lxc.cgroup.dir.monitor
	DirPivot     string // lxc.cgroup.dir.monitor.pivot
	DirInner     string // lxc.cgroup.dir.container.inner
	Relative     bool   // lxc.cgroup.relative
	Pattern      string // lxc.cgroup.pattern from lxc.conf ("" = unset, as LXC 5 defaults)
	// OwnDeviceRules: the configuration has lxc.cgroup2.devices.* rules,
	// which Apply attaches in place of the default device program, so on
	// cgroup2 CreatePayload attaches none (one program load, not two; no
	// process is in the payload before Apply).
	OwnDeviceRules bool
}

// check mirrors LXC's check_cgroup_dir_config plus path sanity.
func (o Options) check() error {
	if o.Name == "" {
		return fmt.Errorf("cgroup: container name is empty")
	}
	explicit := o.DirContainer != "" || o.DirMonitor != "" || o.DirInner != ""
	if explicit && o.Dir != "" {
		return fmt.Errorf("lxc.cgroup.dir conflicts with lxc.cgroup.dir.container/monitor: set only one of them")
	}
	if explicit && (o.DirContainer == "" || o.DirMonitor == "") {
		return fmt.Errorf("lxc.cgroup.dir.container and lxc.cgroup.dir.monitor must both be set")
	}
	for _, kv := range [][2]string{
		{"lxc.cgroup.dir", o.Dir}, {"lxc.cgroup.dir.container", o.DirContainer},
		{"lxc.cgroup.dir.monitor", o.DirMonitor}, {"lxc.cgroup.dir.monitor.pivot", o.DirPivot},
		{"lxc.cgroup.dir.container.inner", o.DirInner}, {"lxc.cgroup.pattern", o.Pattern},
	} {
		if err := checkRelPath(kv[1]); err != nil {
			return fmt.Errorf("%s = %s: %w", kv[0], kv[1], err)
		}
	}
	if strings.Contains(o.Name, "/") {
		return fmt.Errorf("cgroup: container name %q contains '/'", o.Name)
	}
	return nil
}

// checkRelPath refuses components that walk upwards, like LXC's
// __cgroup_tree_create. A leading "/" is allowed and means "below the base".
func checkRelPath(p string) error {
	for _, c := range strings.Split(p, "/") {
		if strings.HasPrefix(c, "..") {
			return fmt.Errorf("path may not walk upwards (\"..\")")
		}
	}
	return nil
}

// clean makes p relative to the base cgroup ("" stays "").
func clean(p string) string {
	p = strings.Trim(path.Clean("/"+p), "/")
	return p
}

// naming is where one container's cgroups go, relative to each
// hierarchy's base cgroup.
type naming struct {
	monitor   string // without collision suffix
	limit     string // payload limit cgroup, without collision suffix
	inner     string // payload leaf relative to limit ("" = the limit itself)
	pivot     string
	retryable bool // false for explicit lxc.cgroup.dir.container/monitor paths
}

func (o Options) naming() naming {
	switch {
	case o.DirContainer != "":
		n := naming{monitor: clean(o.DirMonitor), limit: clean(o.DirContainer), inner: clean(o.DirInner)}
		n.pivot = pivotName
		if o.DirPivot != "" {
			n.pivot = path.Join(clean(o.DirPivot), pivotName)
		}
		return n
	case o.Dir != "":
		d := clean(o.Dir)
		return naming{
			monitor:   path.Join(d, monitorPrefix+o.Name),
			limit:     path.Join(d, payloadPrefix+o.Name),
			pivot:     path.Join(d, pivotName),
			retryable: true,
		}
	case o.Pattern != "":
		t := clean(strings.ReplaceAll(o.Pattern, "%n", o.Name))
		return naming{
			monitor:   path.Join(t, patternMonitor),
			limit:     path.Join(t, patternPayload),
			pivot:     pivotName,
			retryable: true,
		}
	}
	return naming{monitor: monitorPrefix + o.Name, limit: payloadPrefix + o.Name, pivot: pivotName, retryable: true}
}

// withSuffix appends LXC's collision suffix: "" for 0, "-N" otherwise.
func withSuffix(p string, idx int) string {
	if idx == 0 {
		return p
	}
	return fmt.Sprintf("%s-%d", p, idx)
}
