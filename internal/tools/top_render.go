package tools

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/golxc/golxc/lxc"
)

// Terminal sequences of LXC's lxc-top.
const (
	topClear   = "\033[H\033[J"
	topNormal  = "\033[0m"
	topHeading = "\033[7m\033[1m" // reverse video, bold
)

// sortTop orders rows as LXC's lxc-top: by name ascending, or by the
// chosen use (c CPU, b block I/O, m memory, s memory+swap, k kernel
// memory) largest first; reverse flips either. Ties keep name order.
func sortTop(rows []topRow, by byte, reverse bool) {
	key := func(r topRow) uint64 {
		switch by {
		case 'c':
			return r.st.CPU
		case 'b':
			return r.st.BlkIO
		case 'm':
			return r.st.Memory
		case 's':
			return r.st.MemSwap
		case 'k':
			return r.st.KMem
		}
		return 0
	}
	byName := by != 'c' && by != 'b' && by != 'm' && by != 's' && by != 'k'
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if byName {
			if reverse {
				return a.name > b.name
			}
			return a.name < b.name
		}
		ka, kb := key(a), key(b)
		if ka == kb {
			return a.name < b.name
		}
		if reverse {
			return ka < kb
		}
		return ka > kb
	})
}

// renderTop is one refresh: in interactive mode the screen (clear,
// heading, at most max rows, the TOTAL line without a newline); in batch
// mode CSV lines, at most max too (LXC limits both by the terminal).
func renderTop(rows []topRow, total lxc.Stats, max int, batch bool, now time.Time) string {
	var b strings.Builder
	n := 0
	if !batch {
		b.WriteString(topClear)
		b.WriteString(topHeading)
		b.WriteString(fmt.Sprintf("%-18s %12s %12s %12s %36s %10s", "Container", "CPU", "CPU", "CPU", "BlkIO", "Mem"))
		if total.MemSwap > 0 {
			b.WriteString(fmt.Sprintf(" %10s", "MemSw"))
		}
		if total.KMem > 0 {
			b.WriteString(fmt.Sprintf(" %10s", "KMem"))
		}
		b.WriteString("\n")
		b.WriteString(fmt.Sprintf("%-18s %12s %12s %12s %36s %10s", "Name", "Used", "Sys", "User", "Total(Read/Write)", "Used"))
		if total.MemSwap > 0 {
			b.WriteString(fmt.Sprintf(" %10s", "Used"))
		}
		if total.KMem > 0 {
			b.WriteString(fmt.Sprintf(" %10s", "Used"))
		}
		b.WriteString("\n" + topNormal)
	}
	for n = 0; n < len(rows) && n < max; n++ {
		b.WriteString(topLine(rows[n].name, rows[n].st, total, batch, now) + "\n")
	}
	if !batch {
		b.WriteString(topLine(fmt.Sprintf("TOTAL %d of %d", n, len(rows)), total, total, false, now))
	}
	return b.String()
}

// topLine formats one container (or the total) as LXC does: CPU seconds
// from float32 arithmetic like its (float) casts, sizes humanized.
func topLine(name string, st, total lxc.Stats, batch bool, now time.Time) string {
	if batch {
		return fmt.Sprintf("%d,%s,%d,%d,%d,%d,%d,%d,%d,%d", now.UnixMilli(), name, st.CPU, st.CPUSystem, st.CPUUser,
			st.BlkIO, st.BlkIOOps, st.Memory, st.MemSwap, st.KMem)
	}
	if len(name) > 18 {
		name = name[:18]
	}
	io := fmt.Sprintf("%s(%s/%s)", humanizeSize(st.BlkIO), humanizeSize(st.BlkIORead), humanizeSize(st.BlkIOWrite))
	line := fmt.Sprintf("%-18s %12.2f %12.2f %12.2f %36s %10s", name,
		float64(float32(st.CPU)/1e9), float64(float32(st.CPUSystem)/100), float64(float32(st.CPUUser)/100),
		io, humanizeSize(st.Memory))
	if total.MemSwap > 0 {
		line += fmt.Sprintf(" %10s", humanizeSize(st.MemSwap))
	}
	if total.KMem > 0 {
		line += fmt.Sprintf(" %10s", humanizeSize(st.KMem))
	}
	return line
}

// humanizeSize is LXC's size_humanize, digit for digit (its 32-bit
// rounding included).
func humanizeSize(v uint64) string {
	switch {
	case v > 1<<30:
		return fmt.Sprintf("%d.%02d GiB", uint32(v>>30), uint32(v&(1<<30-1))/10737419)
	case v > 1<<20:
		x := uint32(v + 5243)
		return fmt.Sprintf("%d.%02d MiB", x>>20, ((x&(1<<20-1))*100)>>20)
	case v > 1<<10:
		x := uint32(v + 5)
		return fmt.Sprintf("%d.%02d KiB", x>>10, ((x&(1<<10-1))*100)>>10)
	}
	return fmt.Sprintf("%3d.00   ", uint32(v))
}
