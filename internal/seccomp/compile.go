package seccomp

import (
	"sort"

	"golang.org/x/sys/unix"
)

// Program is a compiled policy, ready to load.
type Program struct {
	Filter []unix.SockFilter
	Notify bool // the policy uses notify, which Load refuses
	Source string
}

// Compile turns the policy into a BPF program for an x86_64 kernel.
func (p *Policy) Compile() (*Program, error) {
	r, err := p.resolve()
	if err != nil {
		return nil, err
	}
	a := newAsm()
	x8664, i386, x32 := a.newLabel(), a.newLabel(), a.newLabel()
	// Dispatch on the architecture; anything else is killed, as
	// libseccomp does for architectures not in the filter.
	a.ldAbs(offArch)
	a.jcond(unix.BPF_JEQ, auditArchX8664, next, a.skip(1))
	a.jmp(x8664)
	a.jcond(unix.BPF_JEQ, auditArchI386, next, a.skip(1))
	a.jmp(i386)
	a.ret(retKillThread)

	var blocks []func()
	a.place(x8664)
	a.ldAbs(offNr)
	a.jcond(unix.BPF_JGE, x32SyscallBit, next, a.skip(1))
	a.jmp(x32)
	blocks = a.dispatch(r, ABIX8664, blocks)
	a.place(x32)
	blocks = a.dispatch(r, ABIX32, blocks)
	a.place(i386)
	a.ldAbs(offNr)
	blocks = a.dispatch(r, ABII386, blocks)
	for _, b := range blocks {
		b()
	}
	f, err := a.assemble()
	if err != nil {
		return nil, &ParseError{Source: p.Source, Line: 1, Msg: err.Error()}
	}
	return &Program{Filter: f, Notify: p.UsesNotify(), Source: p.Source}, nil
}

// skip returns a label placed n instructions after the next one.
func (a *asm) skip(n int) label {
	l := a.newLabel()
	a.labels[l] = len(a.code) + 1 + n
	return l
}

// chunkSize bounds how many syscall checks share one block of return
// instructions, keeping conditional jumps under 255.
const chunkSize = 100

// dispatch emits the syscall-number checks of one ABI (the accumulator
// holds seccomp_data.nr) and ends with the ABI's default action. Syscalls
// with argument filters jump to blocks emitted later; their emitters are
// appended to blocks.
func (a *asm) dispatch(r *resolved, abi ABI, blocks []func()) []func() {
	nrs := make([]uint32, 0, len(r.tables[abi]))
	for nr := range r.tables[abi] {
		nrs = append(nrs, nr)
	}
	sort.Slice(nrs, func(i, j int) bool { return nrs[i] < nrs[j] })
	def := r.abiDefault[abi]
	for len(nrs) > 0 {
		n := min(chunkSize, len(nrs))
		chunk := nrs[:n]
		nrs = nrs[n:]
		// Targets after the checks: one "ret" per distinct action, one
		// "ja block" per syscall with argument filters.
		rets := map[uint32]label{}
		var retOrder []uint32
		type far struct {
			at    label
			block label
		}
		var fars []far
		for _, nr := range chunk {
			e := r.tables[abi][nr]
			if len(e.conds) == 0 {
				k := def.ret()
				if e.uncond != nil {
					k = e.uncond.ret()
				}
				l, ok := rets[k]
				if !ok {
					l = a.newLabel()
					rets[k] = l
					retOrder = append(retOrder, k)
				}
				a.jcond(unix.BPF_JEQ, nr, l, next)
				continue
			}
			at, block := a.newLabel(), a.newLabel()
			fars = append(fars, far{at, block})
			a.jcond(unix.BPF_JEQ, nr, at, next)
			final := def
			if e.uncond != nil {
				final = *e.uncond
			}
			blocks = append(blocks, a.condBlock(block, abi, e.conds, final))
		}
		after := a.newLabel()
		a.jmp(after)
		for _, k := range retOrder {
			a.place(rets[k])
			a.ret(k)
		}
		for _, f := range fars {
			a.place(f.at)
			a.jmp(f.block)
		}
		a.place(after)
	}
	a.ret(def.ret())
	return blocks
}

// condBlock returns the emitter of a syscall's argument-filter rules.
func (a *asm) condBlock(start label, abi ABI, conds []Rule, final Action) func() {
	return func() {
		a.place(start)
		for _, c := range conds {
			fail := a.newLabel()
			for _, cmp := range c.Args {
				a.compare(abi, cmp, fail)
			}
			a.ret(c.Action.ret())
			a.place(fail)
		}
		a.ret(final.ret())
	}
}

// compare emits code that falls through when the comparison holds and
// jumps to fail otherwise. Arguments are 64-bit little-endian words; on
// i386 only the low word exists.
func (a *asm) compare(abi ABI, c ArgCmp, fail label) {
	lo := uint32(offArgs + 8*int(c.Index))
	hi := lo + 4
	vlo, vhi := uint32(c.Value), uint32(c.Value>>32)
	mlo, mhi := uint32(c.Mask), uint32(c.Mask>>32)
	match := a.newLabel()
	if abi == ABII386 {
		a.ldAbs(lo)
		switch c.Op {
		case CmpEQ:
			a.jcond(unix.BPF_JEQ, vlo, next, fail)
		case CmpNE:
			a.jcond(unix.BPF_JEQ, vlo, fail, next)
		case CmpGT:
			a.jcond(unix.BPF_JGT, vlo, next, fail)
		case CmpGE:
			a.jcond(unix.BPF_JGE, vlo, next, fail)
		case CmpLT:
			a.jcond(unix.BPF_JGE, vlo, fail, next)
		case CmpLE:
			a.jcond(unix.BPF_JGT, vlo, fail, next)
		case CmpMaskedEQ:
			a.and(mlo)
			a.jcond(unix.BPF_JEQ, vlo, next, fail)
		}
		a.place(match)
		return
	}
	switch c.Op {
	case CmpEQ:
		a.ldAbs(hi)
		a.jcond(unix.BPF_JEQ, vhi, next, fail)
		a.ldAbs(lo)
		a.jcond(unix.BPF_JEQ, vlo, next, fail)
	case CmpNE:
		a.ldAbs(hi)
		a.jcond(unix.BPF_JEQ, vhi, next, match)
		a.ldAbs(lo)
		a.jcond(unix.BPF_JEQ, vlo, fail, next)
	case CmpGT, CmpGE:
		a.ldAbs(hi)
		a.jcond(unix.BPF_JGT, vhi, match, next)
		a.jcond(unix.BPF_JEQ, vhi, next, fail)
		a.ldAbs(lo)
		if c.Op == CmpGT {
			a.jcond(unix.BPF_JGT, vlo, next, fail)
		} else {
			a.jcond(unix.BPF_JGE, vlo, next, fail)
		}
	case CmpLT, CmpLE:
		a.ldAbs(hi)
		a.jcond(unix.BPF_JGT, vhi, fail, next)
		a.jcond(unix.BPF_JEQ, vhi, next, match)
		a.ldAbs(lo)
		if c.Op == CmpLT {
			a.jcond(unix.BPF_JGE, vlo, fail, next)
		} else {
			a.jcond(unix.BPF_JGT, vlo, fail, next)
		}
	case CmpMaskedEQ:
		a.ldAbs(hi)
		a.and(mhi)
		a.jcond(unix.BPF_JEQ, vhi, next, fail)
		a.ldAbs(lo)
		a.and(mlo)
		a.jcond(unix.BPF_JEQ, vlo, next, fail)
	}
	a.place(match)
}
