package manpage

import "strings"

// helpDoc is a tool's --help text taken apart.
type helpDoc struct {
	synopsis    []string // after "Usage: PROG "
	description []string
	entries     []helpEntry
}

// helpEntry is one option paragraph of --help, or a heading (spec empty)
// such as lxc-create's "BDEV options for LVM".
type helpEntry struct {
	spec []string // "-n,", "--name=NAME"
	desc []string
}

// isOptionsHeading matches "Options :" and "Options:".
func isOptionsHeading(l string) bool {
	rest, ok := strings.CutPrefix(l, "Options")
	return ok && strings.HasPrefix(strings.TrimSpace(rest), ":")
}

// isArgWord: an argument placeholder written after an option with a
// space ("--define KEY=VAL").
func isArgWord(w string) bool {
	if w == "" || w[0] < 'A' || w[0] > 'Z' {
		return false
	}
	return strings.Trim(w, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_=[]") == ""
}

// parseHelp splits a Tool's Help (the text after "Usage: PROG ").
func parseHelp(help string) helpDoc {
	lines := strings.Split(help, "\n")
	var d helpDoc
	i := 0
	if i < len(lines) && strings.TrimSpace(lines[i]) == "" {
		i++
	}
	for ; i < len(lines) && strings.TrimSpace(lines[i]) != ""; i++ {
		d.synopsis = append(d.synopsis, strings.TrimSpace(lines[i]))
	}
	for ; i < len(lines) && !isOptionsHeading(lines[i]); i++ {
		d.description = append(d.description, lines[i])
	}
	afterBlank := false
	for i++; i < len(lines); i++ {
		l := lines[i]
		trimmed := strings.TrimSpace(l)
		indent := len(l) - len(strings.TrimLeft(l, " "))
		switch {
		case trimmed == "":
			afterBlank = true
			continue
		case indent <= 6 && strings.HasPrefix(trimmed, "-"):
			spec, desc := splitSpec(trimmed)
			d.entries = append(d.entries, helpEntry{spec: spec, desc: desc})
		case len(d.entries) == 0 || (afterBlank && indent <= 4) || (indent <= 4 && !strings.HasPrefix(trimmed, "-")):
			d.entries = append(d.entries, helpEntry{desc: []string{trimmed}})
		default:
			e := &d.entries[len(d.entries)-1]
			e.desc = append(e.desc, trimmed)
		}
		afterBlank = false
	}
	return d
}

// splitSpec splits "-n, --name=NAME   NAME of the container" into the
// option words and the description.
func splitSpec(line string) (spec, desc []string) {
	words := strings.Fields(line)
	i := 0
	for ; i < len(words) && strings.HasPrefix(words[i], "-"); i++ {
		spec = append(spec, words[i])
		if words[i] == "--" && i+1 < len(words) { // "-- template-options"
			i++
			spec = append(spec, words[i])
		}
	}
	if i < len(words) && len(spec) > 0 && !strings.Contains(spec[len(spec)-1], "=") && isArgWord(words[i]) {
		spec = append(spec, words[i])
		i++
	}
	if i < len(words) {
		desc = []string{strings.Join(words[i:], " ")}
	}
	return spec, desc
}

// names lists the option names a spec documents: "--share-[net|ipc]=NAME"
// gives --share-net and --share-ipc.
func (e helpEntry) names() []string {
	var out []string
	for _, tok := range e.spec {
		tok = strings.TrimSuffix(tok, ",")
		if !strings.HasPrefix(tok, "-") || tok == "--" {
			continue
		}
		tok, _, _ = strings.Cut(tok, "=")
		tok = strings.TrimSuffix(tok, "[")
		if pre, alts, ok := strings.Cut(tok, "["); ok {
			for _, a := range strings.Split(strings.TrimSuffix(alts, "]"), "|") {
				out = append(out, pre+a)
			}
			continue
		}
		out = append(out, tok)
	}
	return out
}

// documents reports whether the entry describes the option -short/--long.
func (e helpEntry) documents(short rune, long string) bool {
	for _, n := range e.names() {
		if (long != "" && n == "--"+long) || (short != 0 && n == "-"+string(short)) {
			return true
		}
	}
	return false
}
