package lxc

import (
	"fmt"
	"time"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/query"
)

// ByteSize is a size in bytes (go-lxc's type).
type ByteSize float64

const (
	B  ByteSize = 1
	KB          = 1024 * B
	MB          = 1024 * KB
	GB          = 1024 * MB
)

func (b ByteSize) String() string {
	switch {
	case b >= GB:
		return fmt.Sprintf("%.2fGB", b/GB)
	case b >= MB:
		return fmt.Sprintf("%.2fMB", b/MB)
	case b >= KB:
		return fmt.Sprintf("%.2fKB", b/KB)
	}
	return fmt.Sprintf("%.0fB", b)
}

// NetStats is the traffic of one host-side interface of the container,
// from the container's point of view (TX = what it sent).
type NetStats = query.NetStats

// Stats is what lxc-info -S shows.
type Stats = query.Stats

// cgroups finds the payload cgroups of the running container.
func (c *Container) cgroups() (*cgroup.Container, error) { return c.cgroupsOf(c.InitPid()) }

// cgroupsOf finds the payload cgroups from init pid's /proc entry.
func (c *Container) cgroupsOf(pid int) (*cgroup.Container, error) {
	if pid <= 0 {
		return nil, ErrNotRunning
	}
	l, err := cgroup.Detect()
	if err != nil {
		return nil, err
	}
	return cgroup.FromPid(l, pid, c.name)
}

// Stats reads CPU, block I/O and memory use from the container's cgroups
// and traffic counters of its host-side interfaces.
func (c *Container) Stats() (Stats, error) {
	cl, err := c.client()
	if err != nil {
		return Stats{}, err
	}
	defer cl.Close()
	pid, err := cl.InitPID()
	if err != nil {
		return Stats{}, ErrNotRunning
	}
	return c.statsOf(pid, query.NetLinks(cl, nil))
}

func (c *Container) statsOf(pid int, links []string) (Stats, error) {
	return query.StatsOf(c.name, pid, links)
}

// MemoryUsage is the container's memory use.
func (c *Container) MemoryUsage() (ByteSize, error) {
	s, err := c.Stats()
	if err != nil || !s.HasMemory {
		return 0, orUnavailable(err, "memory usage")
	}
	return ByteSize(s.Memory), nil
}

// MemorySwapUsage is the swap the container uses (memory+swap minus memory).
func (c *Container) MemorySwapUsage() (ByteSize, error) {
	s, err := c.Stats()
	if err != nil || !s.HasMemSwap || !s.HasMemory {
		return 0, orUnavailable(err, "swap usage")
	}
	if s.MemSwap < s.Memory {
		return 0, nil
	}
	return ByteSize(s.MemSwap - s.Memory), nil
}

// KernelMemoryUsage is the kernel memory use (cgroup v1 only).
func (c *Container) KernelMemoryUsage() (ByteSize, error) {
	s, err := c.Stats()
	if err != nil || !s.HasKMem {
		return 0, orUnavailable(err, "kernel memory usage")
	}
	return ByteSize(s.KMem), nil
}

// BlkioUsage is the bytes of block I/O done.
func (c *Container) BlkioUsage() (ByteSize, error) {
	s, err := c.Stats()
	if err != nil || !s.HasBlkIO {
		return 0, orUnavailable(err, "block I/O usage")
	}
	return ByteSize(s.BlkIO), nil
}

// CPUTime is the CPU time used by the container.
func (c *Container) CPUTime() (time.Duration, error) {
	s, err := c.Stats()
	if err != nil || !s.HasCPU {
		return 0, orUnavailable(err, "CPU usage")
	}
	return time.Duration(s.CPU), nil
}

func orUnavailable(err error, what string) error {
	if err != nil {
		return err
	}
	return fmt.Errorf("%s is not available on this host's cgroups", what)
}

// CgroupItem reads a cgroup file of the running container, e.g.
// "memory.limit_in_bytes"; the raw content is split into lines.
func (c *Container) CgroupItem(key string) []string {
	v, err := c.CgroupItemText(key)
	if err != nil {
		return nil
	}
	return splitItem(v)
}

// CgroupItemText returns the raw content of a cgroup file.
func (c *Container) CgroupItemText(key string) (string, error) { return c.readCgroupFile(key) }

// SetCgroupItem writes a cgroup file of the running container.
func (c *Container) SetCgroupItem(key, value string) error { return c.writeCgroupFile(key, value) }
