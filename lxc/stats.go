package lxc

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/cmdsock"
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
type NetStats struct {
	Link   string
	TX, RX uint64
}

// Stats is what lxc-info -S shows.
type Stats struct {
	cgroup.Stats
	Net []NetStats
}

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
	return c.statsOf(pid, netLinks(cl, nil))
}

func (c *Container) statsOf(pid int, links []string) (Stats, error) {
	cg, err := c.cgroupsOf(pid)
	if err != nil {
		return Stats{}, err
	}
	st, err := cg.Stats()
	if err != nil {
		return Stats{}, err
	}
	return Stats{Stats: st, Net: hostNetStats(links)}, nil
}

// netItems are the running-config queries netLinks needs for lxc.net.i.
func netItems(i int) []*cmdsock.Request {
	item := func(k string) *cmdsock.Request {
		return &cmdsock.Request{Cmd: cmdsock.GetConfigItem, Data: append([]byte(fmt.Sprintf("lxc.net.%d.%s", i, k)), 0)}
	}
	return []*cmdsock.Request{item("type"), item("veth.pair"), item("link")}
}

// netLinks names the host-side device of each lxc.net.N of the running
// config, as lxc-info does: veth.pair for veth (the monitor reports the
// generated name), link otherwise; none for empty and none. known holds
// the answers to netItems(0), netItems(1), ... asked already (in a batch);
// the devices after those are asked about one query at a time.
func netLinks(cl *cmdsock.Client, known []*cmdsock.Response) []string {
	answer := func(r *cmdsock.Response) string {
		if r == nil || r.Ret != 0 {
			return ""
		}
		return strings.TrimRight(string(r.Data), "\x00")
	}
	var links []string
	for i := 0; ; i++ {
		var typ, pair, link string
		if len(known) >= 3*(i+1) {
			typ, pair, link = answer(known[3*i]), answer(known[3*i+1]), answer(known[3*i+2])
		} else {
			typ, _ = cl.ConfigItem(fmt.Sprintf("lxc.net.%d.type", i))
			if typ == "veth" {
				pair, _ = cl.ConfigItem(fmt.Sprintf("lxc.net.%d.veth.pair", i))
			} else if typ != "" && typ != "empty" && typ != "none" {
				link, _ = cl.ConfigItem(fmt.Sprintf("lxc.net.%d.link", i))
			}
		}
		switch {
		case typ == "":
			return links
		case typ == "empty" || typ == "none":
		case typ == "veth" && pair != "":
			links = append(links, pair)
		case typ != "veth" && link != "":
			links = append(links, link)
		}
	}
}

// hostNetStats reads /sys/class/net/LINK/statistics of each link. The
// host's rx is the container's tx, so the two are swapped, as LXC does.
func hostNetStats(links []string) []NetStats {
	var out []NetStats
	for _, link := range links {
		rx, err1 := readCounter(link, "rx_bytes")
		tx, err2 := readCounter(link, "tx_bytes")
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, NetStats{Link: link, TX: rx, RX: tx})
	}
	return out
}

func readCounter(link, name string) (uint64, error) {
	b, err := os.ReadFile(filepath.Join("/sys/class/net", link, "statistics", name))
	if err != nil {
		return 0, err
	}
	return strconv.ParseUint(strings.TrimSpace(string(b)), 10, 64)
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
