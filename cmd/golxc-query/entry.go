package main

import (
	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/affinity"
)

// Set by the ELF entry (entry_amd64.s) before the Go runtime starts.
var (
	// callerMask is the affinity the process started with.
	callerMask unix.CPUSet
	// oneMask is the mask of the one CPU the entry narrowed it to.
	oneMask unix.CPUSet
	// entryCPU is that CPU.
	entryCPU uint32
	// narrowed: the entry set oneMask; callerMask goes back on every
	// thread before any tool code runs.
	narrowed uint32
)

func init() {
	if narrowed != 0 {
		narrowed = 0
		affinity.Restore(&callerMask)
	}
}
