package config

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseError reports a configuration line (or Set/Get/Clear call) that LXC
// would reject. File and Line are empty/zero for API calls.
type ParseError struct {
	File string
	Line int
	Key  string
	Msg  string
	Hint string
}

func (e *ParseError) Error() string {
	var b strings.Builder
	if e.File != "" {
		if e.Line > 0 {
			fmt.Fprintf(&b, "%s:%d: ", e.File, e.Line)
		} else {
			fmt.Fprintf(&b, "%s: ", e.File)
		}
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return printable(b.String())
}

// printable escapes control characters and invalid UTF-8 (a key read from
// a binary file) so an error stays one line and sends no terminal escapes.
func printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && n <= 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// valueError is what setters return; the caller adds file, line and key.
type valueError struct {
	msg, hint string
}

func (e *valueError) Error() string {
	if e.hint == "" {
		return e.msg
	}
	return e.msg + "; " + e.hint
}

// badValue builds the usual "invalid value" error with what is accepted.
func badValue(value, accepted string) error {
	return &valueError{msg: fmt.Sprintf("invalid value %q", value), hint: accepted}
}

func verr(msg, hint string) error { return &valueError{msg: msg, hint: hint} }

// unknownKeyError names the closest known key as a hint.
func unknownKeyError(key string) error {
	e := &valueError{msg: "unsupported config key"}
	if s := suggestKey(key); s != "" {
		e.hint = fmt.Sprintf("did you mean %q?", s)
	} else {
		e.hint = "see lxc.container.conf(5) for valid keys"
	}
	return e
}

// suggestKey returns the known key nearest to key by edit distance, or ""
// when nothing is reasonably close.
func suggestKey(key string) string {
	var cands []string
	if rest, ok := strings.CutPrefix(key, "lxc.net."); ok && rest != "" {
		idx := rest
		if i := strings.IndexByte(rest, '.'); i >= 0 {
			idx = rest[:i]
		}
		if idx == "" || idx[0] < '0' || idx[0] > '9' {
			idx = "0"
		}
		for _, s := range netSubkeys {
			cands = append(cands, "lxc.net."+idx+"."+s.name)
		}
	}
	for _, e := range table {
		if strings.HasSuffix(e.name, ".") {
			continue
		}
		cands = append(cands, e.name)
	}
	best, bestD := "", 1<<30
	for _, c := range cands {
		if d := levenshtein(key, c); d < bestD {
			best, bestD = c, d
		}
	}
	if bestD > len(key)/2+2 {
		return ""
	}
	return best
}

func levenshtein(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
