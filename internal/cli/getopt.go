// Package cli parses lxc-* command lines the way LXC 5.0.2's tools do:
// GNU getopt_long with argument permutation, unique-prefix long options,
// the common option block, and a positional container name.
package cli

import (
	"fmt"
	"strings"
)

// ArgKind says whether an option takes an argument.
type ArgKind int

const (
	NoArg ArgKind = iota
	RequiredArg
	OptionalArg // only attached: -eVAL or --long=VAL
)

// Option is one entry of a tool's option table. Table order matters: it is
// the order of the --usage text, exactly as in LXC.
type Option struct {
	Short rune // 0 when the option has no short form
	Long  string
	Arg   ArgKind
	// Set is called for every occurrence; val is "" for NoArg options and
	// for an absent OptionalArg.
	Set func(val string) error
	// Extra marks a golxc-only option: --help lists it, --usage (whose
	// text scripts compare with LXC's) does not.
	Extra bool
}

// usageError is a getopt-level failure: the caller prints the message,
// then the help text, and exits 1.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// getopt parses args (without argv[0]) against opts, GNU style: options and
// operands may be interleaved until "--"; the operands are returned in order.
func getopt(prog string, args []string, opts []Option) ([]string, error) {
	var operands []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			return append(operands, args[i+1:]...), nil
		case strings.HasPrefix(a, "--"):
			consumed, err := parseLong(prog, a[2:], args[i+1:], opts)
			if err != nil {
				return nil, err
			}
			i += consumed
		case len(a) > 1 && a[0] == '-':
			consumed, err := parseShortCluster(prog, a[1:], args[i+1:], opts)
			if err != nil {
				return nil, err
			}
			i += consumed
		default:
			operands = append(operands, a)
		}
	}
	return operands, nil
}

// parseLong handles "--name[=value]"; it returns how many of the following
// arguments it consumed.
func parseLong(prog, body string, rest []string, opts []Option) (int, error) {
	name, val, hasVal := strings.Cut(body, "=")
	opt, err := findLong(prog, name, opts)
	if err != nil {
		return 0, err
	}
	switch opt.Arg {
	case NoArg:
		if hasVal {
			return 0, &usageError{fmt.Sprintf("%s: option '--%s' doesn't allow an argument", prog, opt.Long)}
		}
		return 0, opt.Set("")
	case OptionalArg:
		return 0, opt.Set(val)
	default:
		if hasVal {
			return 0, opt.Set(val)
		}
		if len(rest) == 0 {
			return 0, &usageError{fmt.Sprintf("%s: option '--%s' requires an argument", prog, opt.Long)}
		}
		return 1, opt.Set(rest[0])
	}
}

// findLong resolves an exact long name or a unique prefix of one.
func findLong(prog, name string, opts []Option) (*Option, error) {
	var matches []*Option
	for i := range opts {
		o := &opts[i]
		if o.Long == "" {
			continue
		}
		if o.Long == name {
			return o, nil
		}
		if strings.HasPrefix(o.Long, name) {
			matches = append(matches, o)
		}
	}
	if len(matches) == 1 {
		return matches[0], nil
	}
	if len(matches) > 1 && sameOption(matches) {
		return matches[0], nil
	}
	if len(matches) > 1 {
		var names []string
		for _, m := range matches {
			names = append(names, "'--"+m.Long+"'")
		}
		return nil, &usageError{fmt.Sprintf("%s: option '--%s' is ambiguous; possibilities: %s", prog, name, strings.Join(names, " "))}
	}
	return nil, &usageError{fmt.Sprintf("%s: unrecognized option '--%s'", prog, name)}
}

// sameOption reports whether all candidates are one option listed twice
// (LXC's table has --help for both -h and -?).
func sameOption(m []*Option) bool {
	for _, o := range m[1:] {
		if o.Long != m[0].Long {
			return false
		}
	}
	return true
}

// parseShortCluster handles "-abc", "-nNAME" and "-n NAME".
func parseShortCluster(prog, cluster string, rest []string, opts []Option) (int, error) {
	for j, r := range cluster {
		opt := findShort(r, opts)
		if opt == nil {
			return 0, &usageError{fmt.Sprintf("%s: invalid option -- '%c'", prog, r)}
		}
		tail := cluster[j+len(string(r)):]
		switch opt.Arg {
		case NoArg:
			if err := opt.Set(""); err != nil {
				return 0, err
			}
			continue
		case OptionalArg:
			return 0, opt.Set(tail)
		default:
			if tail != "" {
				return 0, opt.Set(tail)
			}
			if len(rest) == 0 {
				return 0, &usageError{fmt.Sprintf("%s: option requires an argument -- '%c'", prog, r)}
			}
			return 1, opt.Set(rest[0])
		}
	}
	return 0, nil
}

func findShort(r rune, opts []Option) *Option {
	for i := range opts {
		if opts[i].Short == r {
			return &opts[i]
		}
	}
	return nil
}
