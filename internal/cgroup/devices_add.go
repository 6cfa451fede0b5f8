package cgroup

import (
	"errors"
	"fmt"
)

func (c *Container) setDeviceRules(rules []DeviceRule) {
	c.devMu.Lock()
	c.devRules = append([]DeviceRule(nil), rules...)
	c.devMu.Unlock()
}

// ErrNoUnifiedLimit: the container has no cgroup2 limit cgroup to put a
// device program on.
var ErrNoUnifiedLimit = errors.New("the container has no cgroup2 limit cgroup")

// AddDeviceRule appends r to the device rules of the running container's
// cgroup2 limit cgroup and attaches the recompiled program in place of the
// old one (LXC's ADD_BPF_DEVICE_CGROUP: lxc-device and the API's
// add_device_node on a cgroup2 host). Without a program yet, the list
// starts from "allow everything", as a fresh cgroup does.
func (c *Container) AddDeviceRule(r DeviceRule) error {
	u := c.l.Unified()
	if u == nil || c.lim[u] == "" {
		return ErrNoUnifiedLimit
	}
	c.devMu.Lock()
	defer c.devMu.Unlock()
	rules := append(append([]DeviceRule(nil), c.devRules...), r)
	if err := AttachDeviceRules(c.lim[u], rules); err != nil {
		return fmt.Errorf("device rule %s: %w", r, err)
	}
	c.devRules = rules
	return nil
}
