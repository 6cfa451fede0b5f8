package usernic

import (
	"strings"
)

// Entry is one line of the nics database: a device made for Owner (as
// the lxc-usernet line that allowed it names it).
type Entry struct {
	Owner, Type, Bridge, Nic string
}

func (e Entry) String() string { return e.Owner + " " + e.Type + " " + e.Bridge + " " + e.Nic }

// ParseDB reads the database; lines that are not four words are dropped
// (they cannot be a record and are not kept on rewrite).
func ParseDB(data string) []Entry {
	var out []Entry
	for _, l := range strings.Split(data, "\n") {
		f := strings.Fields(l)
		if len(f) != 4 {
			continue
		}
		out = append(out, Entry{f[0], f[1], f[2], f[3]})
	}
	return out
}

// FormatDB is the file text of db.
func FormatDB(db []Entry) string {
	var b strings.Builder
	for _, e := range db {
		b.WriteString(e.String())
		b.WriteByte('\n')
	}
	return b.String()
}

// Cull drops the records whose device no longer exists on the host (a
// container that stopped took its veth with it).
func Cull(db []Entry, exists func(nic string) bool) []Entry {
	out := db[:0:0]
	for _, e := range db {
		if exists(e.Nic) {
			out = append(out, e)
		}
	}
	return out
}

// PickOwner returns the first allotment, in lxc-usernet order, that has
// room for one more device of this type on this bridge; ok is false when
// every quota is used up (the eleventh device over a quota of ten).
func PickOwner(allots []Allotment, db []Entry, typ, bridge string) (owner string, ok bool) {
	for _, a := range allots {
		used := 0
		for _, e := range db {
			if e.Owner == a.Owner && e.Type == typ && e.Bridge == bridge {
				used++
			}
		}
		if used < a.Count {
			return a.Owner, true
		}
	}
	return "", false
}

// Remove deletes the record of nic, but only one that one of the
// caller's own allotments made with this type and bridge: a device name
// alone authorises nothing (another user's device of the same name, or
// one on another bridge, stays; LXC before 7.0 matched too loosely,
// GHSA-3m9j-g9gc-vcvq). found says whether a record went.
func Remove(db []Entry, allots []Allotment, typ, bridge, nic string) (out []Entry, found bool) {
	mine := func(owner string) bool {
		for _, a := range allots {
			if a.Owner == owner {
				return true
			}
		}
		return false
	}
	out = db[:0:0]
	for _, e := range db {
		if !found && e.Nic == nic && e.Type == typ && e.Bridge == bridge && mine(e.Owner) {
			found = true
			continue
		}
		out = append(out, e)
	}
	return out, found
}

// HostNicTemplate is LXC's host-side name pattern: vethUID_XXXX for uids
// 1-65536, vethXXXXXX otherwise; the X are to be replaced by random
// letters and digits (62 choices each).
func HostNicTemplate(uid uint32) string {
	if uid > 0 && uid <= 65536 {
		return "veth" + itoa(uid) + "_XXXX"
	}
	return "vethXXXXXX"
}

// FillName replaces each X of tmpl with alnum[r()%62].
func FillName(tmpl string, r func() uint32) string {
	const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := []byte(tmpl)
	for i := range b {
		if b[i] == 'X' {
			b[i] = alnum[r()%62]
		}
	}
	return string(b)
}

func itoa(u uint32) string {
	if u == 0 {
		return "0"
	}
	var b [10]byte
	i := len(b)
	for ; u > 0; u /= 10 {
		i--
		b[i] = byte('0' + u%10)
	}
	return string(b[i:])
}
