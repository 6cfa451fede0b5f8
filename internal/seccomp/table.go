package seccomp

import "fmt"

// entry is what a policy says about one syscall number of one ABI:
// conditional rules are tried in file order, then the unconditional one.
type entry struct {
	conds  []Rule
	uncond *Action
	line   int // line of the unconditional rule, for conflict messages
}

// resolved is a policy resolved to numbers, per ABI.
type resolved struct {
	abiDefault [3]Action // action for numbers without an entry
	tables     [3]map[uint32]*entry
}

// resolve maps every rule to syscall numbers in each ABI.
func (p *Policy) resolve() (*resolved, error) {
	r := &resolved{}
	for _, a := range abis {
		r.abiDefault[a] = p.Default
		r.tables[a] = map[uint32]*entry{}
	}
	if p.Version == 1 {
		// libseccomp with only the native architecture: other ABIs are
		// "bad architecture" and killed.
		r.abiDefault[ABII386] = Action{Kind: ActKill}
		r.abiDefault[ABIX32] = Action{Kind: ActKill}
		for _, rule := range p.Rules {
			if err := r.add(ABIX8664, uint32(rule.Number), rule, p); err != nil {
				return nil, err
			}
		}
		return r, nil
	}
	for _, rule := range p.Rules {
		for _, a := range abis {
			if nr, ok := a.Number(rule.Name); ok {
				if err := r.add(a, nr, rule, p); err != nil {
					return nil, err
				}
			}
		}
		if len(rule.Args) > 0 {
			continue // multiplexed arguments live in memory: not filterable
		}
		mux := func(name string, call uint64, mask uint64) error {
			nr, _ := ABII386.Number(name)
			m := rule
			m.Args = []ArgCmp{{Index: 0, Op: CmpMaskedEQ, Mask: mask, Value: call}}
			return r.add(ABII386, nr, m, p)
		}
		if call, ok := socketcallNumbers()[rule.Name]; ok {
			if err := mux("socketcall", call, 0xffffffff); err != nil {
				return nil, err
			}
		}
		if call, ok := ipcNumbers()[rule.Name]; ok {
			if err := mux("ipc", call, 0xffff); err != nil {
				return nil, err
			}
		}
	}
	return r, nil
}

func (r *resolved) add(a ABI, nr uint32, rule Rule, p *Policy) error {
	e := r.tables[a][nr]
	if e == nil {
		e = &entry{}
		r.tables[a][nr] = e
	}
	if len(rule.Args) > 0 {
		e.conds = append(e.conds, rule)
		return nil
	}
	if e.uncond != nil {
		if *e.uncond != rule.Action {
			what := rule.Name
			if what == "" {
				what = fmt.Sprint(rule.Number)
			}
			return &ParseError{Source: p.Source, Line: rule.Line,
				Msg: fmt.Sprintf("%s (%s) already has action %s from line %d; one syscall takes one unconditional action", what, a, *e.uncond, e.line)}
		}
		return nil
	}
	act := rule.Action
	e.uncond, e.line = &act, rule.Line
	return nil
}

// Evaluate returns the action the policy takes for a syscall, computed
// directly from the rules (the tests check the BPF program against it).
// arch is seccomp_data.arch, nr seccomp_data.nr.
func (p *Policy) Evaluate(arch, nr uint32, args [6]uint64) (Action, error) {
	r, err := p.resolve()
	if err != nil {
		return Action{}, err
	}
	return r.evaluate(arch, nr, args), nil
}

func (r *resolved) evaluate(arch, nr uint32, args [6]uint64) Action {
	var a ABI
	switch {
	case arch == auditArchI386:
		a = ABII386
	case arch == auditArchX8664 && nr >= x32SyscallBit:
		// As libseccomp's x86_64 filter: every number from bit 30 up is
		// x32's, including ones with higher bits set that no table holds.
		a = ABIX32
	case arch == auditArchX8664:
		a = ABIX8664
	default:
		return Action{Kind: ActKill}
	}
	e := r.tables[a][nr]
	if e == nil {
		return r.abiDefault[a]
	}
	for _, c := range e.conds {
		if argsMatch(a, c.Args, args) {
			return c.Action
		}
	}
	if e.uncond != nil {
		return *e.uncond
	}
	return r.abiDefault[a]
}

func argsMatch(a ABI, cmps []ArgCmp, args [6]uint64) bool {
	for _, c := range cmps {
		v, d, m := args[c.Index], c.Value, c.Mask
		if a == ABII386 { // 32-bit arguments: libseccomp compares the low word
			v, d, m = uint64(uint32(v)), uint64(uint32(d)), uint64(uint32(m))
		}
		var ok bool
		switch c.Op {
		case CmpNE:
			ok = v != d
		case CmpLT:
			ok = v < d
		case CmpLE:
			ok = v <= d
		case CmpEQ:
			ok = v == d
		case CmpGE:
			ok = v >= d
		case CmpGT:
			ok = v > d
		case CmpMaskedEQ:
			ok = v&m == d
		}
		if !ok {
			return false
		}
	}
	return true
}
