package seccomp

import (
	"fmt"

	"golang.org/x/sys/unix"
)

// A tiny classic-BPF assembler with symbolic labels. Conditional jumps
// reach at most 255 instructions ahead; the compiler lays code out so they
// stay short and uses ja (32-bit offset) for everything far.

type label int

type insn struct {
	op     uint16
	k      uint32
	jt, jf label // targets for conditional jumps (0 = next instruction)
	ja     label // target of an unconditional jump
	mark   label // this instruction starts label mark (for placeholders)
}

type asm struct {
	code   []insn
	labels []int // label -> instruction index (-1 = not placed)
}

const next label = 0 // fall through

func newAsm() *asm { return &asm{labels: []int{-1}} }

func (a *asm) newLabel() label {
	a.labels = append(a.labels, -1)
	return label(len(a.labels) - 1)
}

// place binds l to the next emitted instruction.
func (a *asm) place(l label) { a.labels[l] = len(a.code) }

func (a *asm) ldAbs(off uint32) {
	a.code = append(a.code, insn{op: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, k: off})
}
func (a *asm) and(k uint32) {
	a.code = append(a.code, insn{op: unix.BPF_ALU | unix.BPF_AND | unix.BPF_K, k: k})
}
func (a *asm) ret(k uint32) { a.code = append(a.code, insn{op: unix.BPF_RET | unix.BPF_K, k: k}) }
func (a *asm) jmp(l label)  { a.code = append(a.code, insn{op: unix.BPF_JMP | unix.BPF_JA, ja: l}) }

// jcond emits "if A <cond> k goto jt else goto jf".
func (a *asm) jcond(cond uint16, k uint32, jt, jf label) {
	a.code = append(a.code, insn{op: unix.BPF_JMP | cond | unix.BPF_K, k: k, jt: jt, jf: jf})
}

// assemble resolves labels into offsets.
func (a *asm) assemble() ([]unix.SockFilter, error) {
	if len(a.code) > bpfMaxInsns {
		return nil, fmt.Errorf("the policy compiles to %d BPF instructions, more than the kernel's limit of %d", len(a.code), bpfMaxInsns)
	}
	out := make([]unix.SockFilter, len(a.code))
	rel := func(i int, l label) (int, error) {
		if l == next {
			return 0, nil
		}
		t := a.labels[l]
		if t < 0 {
			return 0, fmt.Errorf("internal error: BPF label %d never placed", l)
		}
		d := t - (i + 1)
		if d < 0 {
			return 0, fmt.Errorf("internal error: backward BPF jump at %d", i)
		}
		return d, nil
	}
	for i, in := range a.code {
		f := unix.SockFilter{Code: in.op, K: in.k}
		if in.op == unix.BPF_JMP|unix.BPF_JA {
			d, err := rel(i, in.ja)
			if err != nil {
				return nil, err
			}
			f.K = uint32(d)
		} else if in.op&0x07 == unix.BPF_JMP {
			jt, err := rel(i, in.jt)
			if err != nil {
				return nil, err
			}
			jf, err := rel(i, in.jf)
			if err != nil {
				return nil, err
			}
			if jt > 255 || jf > 255 {
				return nil, fmt.Errorf("internal error: conditional BPF jump too long at %d", i)
			}
			f.Jt, f.Jf = uint8(jt), uint8(jf)
		}
		out[i] = f
	}
	return out, nil
}

const bpfMaxInsns = 4096

// seccomp_data offsets (linux/seccomp.h).
const (
	offNr   = 0
	offArch = 4
	offArgs = 16
)

// Return values (linux/seccomp.h).
const (
	retKillThread = 0x00000000
	retTrap       = 0x00030000
	retErrno      = 0x00050000
	retUserNotif  = 0x7fc00000
	retAllow      = 0x7fff0000
)

func (a Action) ret() uint32 {
	switch a.Kind {
	case ActAllow:
		return retAllow
	case ActTrap:
		return retTrap
	case ActErrno:
		return retErrno | uint32(a.Errno)
	case ActNotify:
		return retUserNotif
	}
	return retKillThread
}
