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
	BlkIORead           uint64 // bytes read: the Read lines of io_service_bytes, or io.stat rbytes
	BlkIOWrite          uint64 // bytes written: Write lines, or wbytes
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
		s.BlkIORead, s.BlkIOWrite = o.BlkIORead, o.BlkIOWrite
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

// blkio is what one blkio.throttle file says: the last "Total N" and the
// sums of the per-device Read and Write lines.
type blkio struct{ total, read, write uint64 }

func readBlkio(p string) (blkio, bool, error) {
	b, err := readFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return blkio{}, false, nil
	}
	if err != nil {
		return blkio{}, false, fmt.Errorf("read %s: %w", p, err)
	}
	return parseBlkio(string(b)), true, nil
}

func parseBlkio(text string) blkio {
	var r blkio
	for _, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		switch {
		case len(f) == 2 && f[0] == "Total":
			if n, err := strconv.ParseUint(f[1], 10, 64); err == nil {
				r.total = n
			}
		case len(f) == 3 && (f[1] == "Read" || f[1] == "Write"):
			n, err := strconv.ParseUint(f[2], 10, 64)
			if err != nil {
				continue
			}
			if f[1] == "Read" {
				r.read += n
			} else {
				r.write += n
			}
		}
	}
	return r
}

// ioStat is io.stat summed over all devices.
type ioStat struct{ rbytes, wbytes, ops uint64 }

func readIOStat(p string) (ioStat, bool, error) {
	b, err := readFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return ioStat{}, false, nil
	}
	if err != nil {
		return ioStat{}, false, fmt.Errorf("read %s: %w", p, err)
	}
	return parseIOStat(string(b)), true, nil
}

func parseIOStat(text string) (r ioStat) {
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
			case "rbytes":
				r.rbytes += n
			case "wbytes":
				r.wbytes += n
			case "rios", "wios":
				r.ops += n
			}
		}
	}
	return r
}

// Stats reads the payload's resource usage.
func (c *Container) Stats() (Stats, error) {
	if len(c.lim) == 0 {
		return Stats{}, fmt.Errorf("stats: no payload cgroup")
	}
	return c.drv.stats(c)
}
