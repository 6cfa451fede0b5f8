package usernic

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// Allotment is one lxc-usernet line that applies to the caller: Owner is
// the user name or "@group" as written, Count its quota.
type Allotment struct {
	Owner string
	Count int
}

// Caller is who runs the helper: its user name and the names of its
// groups (primary and supplementary).
type Caller struct {
	User   string
	Groups []string
}

func (c Caller) matches(owner string) bool {
	if owner == c.User {
		return true
	}
	if !strings.HasPrefix(owner, "@") {
		return false
	}
	for _, g := range c.Groups {
		if owner[1:] == g {
			return true
		}
	}
	return false
}

// ParseUsernet returns, in file order, the lines of an lxc-usernet file
// ("OWNER TYPE BRIDGE COUNT", blanks or tabs between) that name the caller
// or one of its groups with this type and bridge. Lines with fewer
// fields or a COUNT that is not a number are skipped, as LXC does; a
// negative count allows nothing.
func ParseUsernet(r io.Reader, who Caller, typ, bridge string) []Allotment {
	var out []Allotment
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.FieldsFunc(sc.Text(), func(r rune) bool { return r == ' ' || r == '\t' })
		if len(f) < 4 || strings.HasPrefix(f[0], "#") {
			continue
		}
		n, err := strconv.Atoi(f[3])
		if err != nil || !who.matches(f[0]) || f[1] != typ || f[2] != bridge {
			continue
		}
		out = append(out, Allotment{Owner: f[0], Count: n})
	}
	return out
}
