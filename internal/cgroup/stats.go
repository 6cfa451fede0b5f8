package cgroup

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
)

// Stats is what lxc-info and lxc-top show. Each Has flag says the value
// was available on this host (controller mounted, file present).
type Stats struct {
	CPU                 uint64 // ns: cpuacct.usage, or cpu.stat usage_usec*1000
	CPUUser, CPUSystem  uint64 // USER_HZ ticks: cpuacct.stat, or cpu.stat *_usec
	BlkIO               uint64 // bytes: blkio.throttle.io_service_bytes Total, or io.stat rbytes+wbytes
	BlkIOOps            uint64 // I/Os: blkio.throttle.io_serviced Total, or io.stat rios+wios
	Memory              uint64 // bytes: memory.usage_in_bytes, or memory.current
	MemSwap             uint64 // memory+swap bytes: memory.memsw.usage_in_bytes, or memory.current+memory.swap.current
	KMem                uint64 // bytes: memory.kmem.usage_in_bytes (v1 only)
	HasCPU, HasCPUSplit bool
	HasBlkIO            bool
	HasMemory           bool
	HasMemSwap          bool
	HasKMem             bool
}

// fillFrom takes from o every value s lacks.
func (s Stats) fillFrom(o Stats) Stats {
	if !s.HasCPU && o.HasCPU {
		s.CPU, s.HasCPU = o.CPU, true
	}
	if !s.HasCPUSplit && o.HasCPUSplit {
		s.CPUUser, s.CPUSystem, s.HasCPUSplit = o.CPUUser, o.CPUSystem, true
	}
	if !s.HasBlkIO && o.HasBlkIO {
		s.BlkIO, s.BlkIOOps, s.HasBlkIO = o.BlkIO, o.BlkIOOps, true
	}
	if !s.HasMemory && o.HasMemory {
		s.Memory, s.HasMemory = o.Memory, true
	}
	if !s.HasMemSwap && o.HasMemSwap {
		s.MemSwap, s.HasMemSwap = o.MemSwap, true
	}
	return s
}

// readUint reads a single-number cgroup file. A missing file is
// (0, false, nil); "max" reads as the largest value.
func readUint(p string) (uint64, bool, error) {
	b, err := readFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read %s: %w", p, err)
	}
	t := strings.TrimSpace(string(b))
	if t == "max" {
		return ^uint64(0), true, nil
	}
	n, err := strconv.ParseUint(t, 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("read %s: not a number: %q", p, t)
	}
	return n, true, nil
}

// readKeyed reads "KEY VALUE" lines (cpu.stat, cpuacct.stat,
// cgroup.events). Lines that are not KEY NUMBER are skipped.
func readKeyed(p string) (map[string]uint64, bool, error) {
	b, err := readFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("read %s: %w", p, err)
	}
	return parseKeyed(string(b)), true, nil
}

func parseKeyed(text string) map[string]uint64 {
	m := map[string]uint64{}
	sc := bufio.NewScanner(strings.NewReader(text))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		if n, err := strconv.ParseUint(f[1], 10, 64); err == nil {
			m[f[0]] = n
		}
	}
	return m
}

// readBlkioTotal returns the last "Total N" of a blkio.throttle file.
func readBlkioTotal(p string) (uint64, bool, error) {
	b, err := readFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, fmt.Errorf("read %s: %w", p, err)
	}
	return parseBlkioTotal(string(b)), true, nil
}

func parseBlkioTotal(text string) uint64 {
	var total uint64
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == "Total" {
			if n, err := strconv.ParseUint(f[1], 10, 64); err == nil {
				total = n
			}
		}
	}
	return total
}

// readIOStat sums rbytes+wbytes and rios+wios over all devices of io.stat.
func readIOStat(p string) (bytes, ops uint64, ok bool, err error) {
	b, err := readFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return 0, 0, false, nil
	}
	if err != nil {
		return 0, 0, false, fmt.Errorf("read %s: %w", p, err)
	}
	bytes, ops = parseIOStat(string(b))
	return bytes, ops, true, nil
}

func parseIOStat(text string) (bytes, ops uint64) {
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		for _, kv := range f[min(1, len(f)):] {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				continue
			}
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				continue
			}
			switch k {
			case "rbytes", "wbytes":
				bytes += n
			case "rios", "wios":
				ops += n
			}
		}
	}
	return bytes, ops
}

// Stats reads the payload's resource usage.
func (c *Container) Stats() (Stats, error) {
	if len(c.lim) == 0 {
		return Stats{}, fmt.Errorf("stats: no payload cgroup")
	}
	return c.drv.stats(c)
}
