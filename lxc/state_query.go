package lxc

import (
	"github.com/golxc/golxc/internal/cmdsock"
)

// fromWire converts LXC's wire state numbering to go-lxc's.
func fromWire(s cmdsock.State) State { return State(int(s) + 1) }

// State asks the container's monitor; no monitor means STOPPED, as in LXC.
func (c *Container) State() State {
	st, err := cmdsock.StateOf(c.lxcpath, c.name)
	if err != nil {
		return STOPPED
	}
	return fromWire(st)
}

// Running reports whether the state is anything but STOPPED.
func (c *Container) Running() bool { return c.State() != STOPPED }

// InitPid returns the host pid of the container's init, or -1.
func (c *Container) InitPid() int {
	cl, err := cmdsock.Dial(c.lxcpath, c.name)
	if err != nil {
		return -1
	}
	defer cl.Close()
	pid, err := cl.InitPID()
	if err != nil || pid <= 0 {
		return -1
	}
	return pid
}

// Controllable reports whether the caller may control the container
// (root, or the owner of the container directory).
func (c *Container) Controllable() bool { return mayControl(c.Dir()) }
