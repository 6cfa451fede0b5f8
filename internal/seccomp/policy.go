package seccomp

import (
	"fmt"
	"strconv"
	"strings"
)

// ActionKind is what the kernel does when a rule matches.
type ActionKind uint8

// Actions of the policy language.
const (
	ActKill ActionKind = iota + 1
	ActAllow
	ActTrap
	ActErrno
	ActNotify
)

// Action is a rule's or the policy's default action.
type Action struct {
	Kind  ActionKind
	Errno uint16 // for ActErrno
}

func (a Action) String() string {
	switch a.Kind {
	case ActKill:
		return "kill"
	case ActAllow:
		return "allow"
	case ActTrap:
		return "trap"
	case ActErrno:
		return "errno " + strconv.Itoa(int(a.Errno))
	case ActNotify:
		return "notify"
	}
	return "invalid"
}

// maxErrno is the largest errno libseccomp accepts (MAX_ERRNO).
const maxErrno = 4095

// CmpOp is an argument comparison.
type CmpOp uint8

// Comparison operators (libseccomp's SCMP_CMP_*).
const (
	CmpNE CmpOp = iota + 1
	CmpLT
	CmpLE
	CmpEQ
	CmpGE
	CmpGT
	CmpMaskedEQ
)

var cmpNames = []struct {
	name, sym string
	op        CmpOp
}{
	{"SCMP_CMP_NE", "!=", CmpNE},
	{"SCMP_CMP_LT", "<", CmpLT},
	{"SCMP_CMP_LE", "<=", CmpLE},
	{"SCMP_CMP_EQ", "==", CmpEQ},
	{"SCMP_CMP_GE", ">=", CmpGE},
	{"SCMP_CMP_GT", ">", CmpGT},
	{"SCMP_CMP_MASKED_EQ", "&=", CmpMaskedEQ},
}

func (o CmpOp) String() string {
	for _, c := range cmpNames {
		if c.op == o {
			return c.name
		}
	}
	return "invalid"
}

// ArgCmp compares syscall argument Index with Value; for CmpMaskedEQ the
// test is (arg & Mask) == Value.
type ArgCmp struct {
	Index uint8
	Op    CmpOp
	Value uint64
	Mask  uint64
}

// Rule is one policy line.
type Rule struct {
	Line    int    // 1-based line in the policy file
	Name    string // syscall name (version 2)
	Number  int    // native syscall number (version 1 only; Name is "")
	Action  Action
	Args    []ArgCmp // all must match
	Comment string   // the section the rule was in, for messages
}

// Policy is a parsed policy file.
type Policy struct {
	Source    string // file name for messages
	Version   int
	Allowlist bool
	Default   Action // for syscalls no rule matches
	Rules     []Rule
	// Skipped lists rule names unknown on x86 (LXC skips them too).
	Skipped []string
}

// UsesNotify reports whether any rule or the default action is notify.
func (p *Policy) UsesNotify() bool {
	if p.Default.Kind == ActNotify {
		return true
	}
	for _, r := range p.Rules {
		if r.Action.Kind == ActNotify {
			return true
		}
	}
	return false
}

// ParseError names the policy file and line.
type ParseError struct {
	Source string
	Line   int
	Msg    string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("seccomp policy %s:%d: %s", e.Source, e.Line, e.Msg)
}

// Parse reads a policy. source names it in errors (usually its path).
func Parse(source string, text []byte) (*Policy, error) {
	p := &Policy{Source: source}
	errf := func(line int, format string, args ...any) error {
		return &ParseError{Source: source, Line: line, Msg: fmt.Sprintf(format, args...)}
	}
	lines := strings.Split(string(text), "\n")
	// Line 1 is read like fscanf("%d\n"): leading blanks, a number, then
	// any run of whitespace (blank lines included) before the header.
	rest := strings.TrimLeft(string(text), " \t\r\n\v\f")
	numEnd := 0
	for numEnd < len(rest) && (rest[numEnd] >= '0' && rest[numEnd] <= '9' || numEnd == 0 && (rest[0] == '-' || rest[0] == '+')) {
		numEnd++
	}
	v, err := strconv.Atoi(rest[:numEnd])
	if err != nil || (v != 1 && v != 2) {
		return nil, errf(1, "invalid version: the first line must be 1 or 2")
	}
	p.Version = v
	consumed := len(text) - len(rest) + numEnd
	after := strings.TrimLeft(string(text[consumed:]), " \t\r\n\v\f")
	headerLine := 1 + strings.Count(string(text[:len(text)-len(after)]), "\n")
	if after == "" {
		return nil, errf(headerLine, "missing policy type line (allowlist or denylist)")
	}
	header, _, _ := strings.Cut(after, "\n")
	header = strings.TrimRight(header, " \t\r")
	if strings.Contains(header, "debug") {
		return nil, errf(headerLine, "debug policies are not implemented (as in LXC)")
	}
	body := lines[headerLine:]
	if v == 1 {
		if !strings.Contains(header, "allowlist") {
			return nil, errf(headerLine, "version 1 policies must be allowlists")
		}
		p.Allowlist = true
		p.Default = Action{Kind: ActKill}
		return p, p.parseV1(body, headerLine, errf)
	}
	return p, p.parseV2(header, body, headerLine, errf)
}

type errFunc func(line int, format string, args ...any) error

func (p *Policy) parseV1(body []string, base int, errf errFunc) error {
	for i, l := range body {
		n := base + i + 1
		if i == len(body)-1 && l == "" {
			break // text ends with a newline
		}
		f := strings.Fields(l)
		if len(f) == 0 {
			return errf(n, "version 1 policies list one syscall number per line")
		}
		nr, err := leadingInt(f[0])
		if err != nil || nr < 0 {
			return errf(n, "version 1 policies list one syscall number per line, got %q", l)
		}
		p.Rules = append(p.Rules, Rule{Line: n, Number: nr, Action: Action{Kind: ActAllow}})
	}
	return nil
}

// leadingInt parses the integer that starts s, as sscanf("%d").
func leadingInt(s string) (int, error) {
	end := 0
	if end < len(s) && (s[end] == '-' || s[end] == '+') {
		end++
	}
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	return strconv.Atoi(s[:end])
}

// x86Section reports whether a section applies on an x86_64 host, and
// foreignSection whether it names another architecture, whose rules are
// skipped. Switches, not maps: nothing to build at every golxc start.
func x86Section(l string) bool {
	switch l {
	case "[all]", "[ALL]", "[x86]", "[X86]", "[x32]", "[X32]", "[x86_64]", "[X86_64]":
		return true
	}
	return false
}

func foreignSection(l string) bool {
	arch, ok1 := strings.CutPrefix(l, "[")
	arch, ok2 := strings.CutSuffix(arch, "]")
	if !ok1 || !ok2 || (arch != strings.ToLower(arch) && arch != strings.ToUpper(arch)) {
		return false
	}
	switch strings.ToLower(arch) {
	case "arm", "arm64", "ppc64le", "ppc64", "ppc", "mips64", "mips64n32", "mips", "mipsel64", "mipsel64n32", "mipsel", "s390x", "s390":
		return true
	}
	return false
}

func (p *Policy) parseV2(header string, body []string, base int, errf errFunc) error {
	switch {
	case strings.HasPrefix(header, "denylist"), strings.HasPrefix(header, "blacklist"):
	case strings.HasPrefix(header, "allowlist"), strings.HasPrefix(header, "whitelist"):
		p.Allowlist = true
	default:
		return errf(base, "bad policy type %q: want allowlist or denylist", header)
	}
	ruleDefault := Action{Kind: ActKill}
	p.Default = Action{Kind: ActAllow}
	if p.Allowlist {
		ruleDefault, p.Default = p.Default, ruleDefault
	}
	if _, act, ok := strings.Cut(header, " "); ok && strings.TrimSpace(act) != "" {
		a, err := parseAction(strings.Fields(act))
		if err != nil {
			return errf(base, "%v", err)
		}
		p.Default = a
	}
	section := "[all]"
	skipping := false
	for i, l := range body {
		n := base + i + 1
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		if l[0] == '[' {
			switch {
			case x86Section(l):
				skipping = false
			case foreignSection(l):
				skipping = true
			default:
				return errf(n, "unsupported architecture section %q", l)
			}
			section = l
			continue
		}
		if skipping {
			continue
		}
		r, err := parseRule(l, ruleDefault)
		if err != nil {
			return errf(n, "%v", err)
		}
		r.Line, r.Comment = n, section
		if r.Name == "reject_force_umount" {
			// umount2(target, flags & MNT_FORCE) fails with EACCES.
			r.Name = "umount2"
			r.Action = Action{Kind: ActErrno, Errno: eacces}
			r.Args = []ArgCmp{{Index: 1, Op: CmpMaskedEQ, Mask: mntForce, Value: mntForce}}
		}
		if r.Action == p.Default {
			return errf(n, "rule action %s is the policy's default action (libseccomp refuses such rules)", r.Action)
		}
		if !knownSyscall(r.Name) {
			p.Skipped = append(p.Skipped, r.Name)
			continue
		}
		p.Rules = append(p.Rules, r)
	}
	return nil
}

const (
	eacces   = 13
	mntForce = 1
)

// parseRule parses "name [action [args...]] [# comment]".
func parseRule(line string, def Action) (Rule, error) {
	if i := strings.Index(line, "#"); i >= 0 {
		line = line[:i]
	}
	f := strings.Fields(line)
	r := Rule{Name: f[0], Action: def}
	if len(f) == 1 {
		return r, nil
	}
	rest := f[1:]
	if strings.HasPrefix(rest[0], "[") {
		return r, fmt.Errorf("%s: an action must come before argument filters", r.Name)
	}
	a, err := parseAction(rest)
	if err != nil {
		return r, fmt.Errorf("%s: %v", r.Name, err)
	}
	r.Action = a
	// Argument filters follow the action (and errno's number).
	argText := strings.Join(rest, " ")
	k := strings.Index(argText, "[")
	if k < 0 {
		return r, nil
	}
	args, err := parseArgs(argText[k:])
	if err != nil {
		return r, fmt.Errorf("%s: %v", r.Name, err)
	}
	r.Args = args
	return r, nil
}

// parseAction reads an action from the start of f, matching by prefix as
// LXC does ("errno 1" and "errno1" both work).
func parseAction(f []string) (Action, error) {
	w := f[0]
	switch {
	case strings.HasPrefix(w, "kill"):
		return Action{Kind: ActKill}, nil
	case strings.HasPrefix(w, "allow"):
		return Action{Kind: ActAllow}, nil
	case strings.HasPrefix(w, "trap"):
		return Action{Kind: ActTrap}, nil
	case strings.HasPrefix(w, "notify"):
		return Action{Kind: ActNotify}, nil
	case strings.HasPrefix(w, "errno"):
		num := strings.TrimPrefix(w, "errno")
		if num == "" && len(f) > 1 {
			num = f[1]
		}
		e, err := leadingInt(num)
		if err != nil {
			return Action{}, fmt.Errorf("errno needs a number, e.g. \"errno 1\"")
		}
		if e < 0 || e > maxErrno {
			return Action{}, fmt.Errorf("errno %d is out of range 0..%d", e, maxErrno)
		}
		return Action{Kind: ActErrno, Errno: uint16(e)}, nil
	}
	return Action{}, fmt.Errorf("unrecognized action %q (want kill, allow, trap, errno N or notify)", w)
}

// parseArgs reads "[index,value,op]" or "[index,value,op,mask]" groups.
func parseArgs(s string) ([]ArgCmp, error) {
	var out []ArgCmp
	seen := map[uint8]bool{}
	for s = strings.TrimSpace(s); s != ""; s = strings.TrimSpace(s) {
		if s[0] != '[' {
			return nil, fmt.Errorf("unexpected %q after argument filters", s)
		}
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return nil, fmt.Errorf("argument filter %q lacks ']'", s)
		}
		c, err := parseArg(s[1:end])
		if err != nil {
			return nil, fmt.Errorf("argument filter %q: %v", s[:end+1], err)
		}
		if seen[c.Index] {
			return nil, fmt.Errorf("argument %d is compared twice in one rule", c.Index)
		}
		seen[c.Index] = true
		out = append(out, c)
		if len(out) > 6 {
			return nil, fmt.Errorf("more than 6 argument filters")
		}
		s = s[end+1:]
	}
	return out, nil
}

func parseArg(s string) (ArgCmp, error) {
	f := strings.Split(s, ",")
	for i := range f {
		f[i] = strings.TrimSpace(f[i])
	}
	if len(f) != 3 && len(f) != 4 {
		return ArgCmp{}, fmt.Errorf("want [index,value,op] or [index,value,op,mask]")
	}
	idx, err := parseUint(f[0])
	if err != nil || idx >= 6 {
		return ArgCmp{}, fmt.Errorf("argument index must be 0..5")
	}
	val, err := parseUint(f[1])
	if err != nil {
		return ArgCmp{}, fmt.Errorf("bad value %q: %v", f[1], err)
	}
	c := ArgCmp{Index: uint8(idx), Value: val}
	for _, n := range cmpNames {
		if f[2] == n.name || f[2] == n.sym {
			c.Op = n.op
		}
	}
	if c.Op == 0 {
		return ArgCmp{}, fmt.Errorf("unknown operator %q (want SCMP_CMP_EQ, ==, SCMP_CMP_MASKED_EQ, &=, ...)", f[2])
	}
	if len(f) == 4 {
		if c.Mask, err = parseUint(f[3]); err != nil {
			return ArgCmp{}, fmt.Errorf("bad mask %q: %v", f[3], err)
		}
	}
	return c, nil
}

// parseUint reads decimal, 0x hex or 0-prefixed octal, like strtoull(…, 0)
// without its sign and whitespace leniency.
func parseUint(s string) (uint64, error) {
	base := 10
	switch {
	case strings.HasPrefix(s, "0x"), strings.HasPrefix(s, "0X"):
		base, s = 16, s[2:]
	case len(s) > 1 && s[0] == '0':
		base, s = 8, s[1:]
	}
	if s == "" || strings.ContainsAny(s, "_+-") {
		return 0, fmt.Errorf("not an unsigned number")
	}
	return strconv.ParseUint(s, base, 64)
}
