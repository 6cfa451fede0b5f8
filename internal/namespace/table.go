// Package namespace is golxc's one table of Linux namespaces: each one's
// name, clone flag and lxc-attach -s spelling, in LXC's ns_info order.
// The C namespace stage (internal/nsexec) keeps its own table, in the
// order it must unshare and setns them; a test there checks it against
// this one.
package namespace

import (
	"fmt"
	"strings"

	"golang.org/x/sys/unix"
)

// NS is one namespace type.
type NS struct {
	// Name is LXC's spelling in lxc.namespace.* and hook arguments, and
	// the file name under /proc/PID/ns.
	Name string
	// Flag is its CLONE_NEW* flag.
	Flag uintptr
	// Attach is lxc-attach -s's spelling (MOUNT, UTSNAME, NETWORK ...).
	Attach string
	// Clone is the flag's name, for the log (CLONE_NEWNS).
	Clone string
}

// Count is the number of namespace types.
const Count = 8

// All returns every namespace in LXC's ns_info order: the order they are
// decided, shared, preserved, listed, logged and attached in. It is a
// copy: callers cannot change the table.
func All() [Count]NS {
	return [Count]NS{
		{"user", unix.CLONE_NEWUSER, "USER", "CLONE_NEWUSER"},
		{"mnt", unix.CLONE_NEWNS, "MOUNT", "CLONE_NEWNS"},
		{"pid", unix.CLONE_NEWPID, "PID", "CLONE_NEWPID"},
		{"uts", unix.CLONE_NEWUTS, "UTSNAME", "CLONE_NEWUTS"},
		{"ipc", unix.CLONE_NEWIPC, "IPC", "CLONE_NEWIPC"},
		{"net", unix.CLONE_NEWNET, "NETWORK", "CLONE_NEWNET"},
		{"cgroup", unix.CLONE_NEWCGROUP, "CGROUP", "CLONE_NEWCGROUP"},
		{"time", unix.CLONE_NEWTIME, "TIME", "CLONE_NEWTIME"},
	}
}

// AllFlags is every CLONE_NEW* flag of the table.
func AllFlags() uintptr {
	var f uintptr
	for _, ns := range All() {
		f |= ns.Flag
	}
	return f
}

// Index is name's position in All, or -1.
func Index(name string) int {
	for i, ns := range All() {
		if ns.Name == name {
			return i
		}
	}
	return -1
}

// ByName finds a namespace by Name.
func ByName(name string) (NS, bool) {
	if i := Index(name); i >= 0 {
		return All()[i], true
	}
	return NS{}, false
}

// Names lists the namespaces of flags by Name, in table order.
func Names(flags uintptr) []string {
	var names []string
	for _, ns := range All() {
		if flags&ns.Flag != 0 {
			names = append(names, ns.Name)
		}
	}
	return names
}

// Describe is Names joined with spaces, "none" for no namespace: for the log.
func Describe(flags uintptr) string {
	if names := Names(flags); len(names) > 0 {
		return strings.Join(names, " ")
	}
	return "none"
}

// ParseList parses lxc-attach's and lxc-unshare's -s argument: names
// joined with |, each in the tools' spelling (MOUNT, UTSNAME, NETWORK,
// PID, ...) or the /proc/PID/ns one (mnt, uts, net, pid, ...).
func ParseList(s string) (uintptr, error) {
	var flags uintptr
	for _, tok := range strings.Split(s, "|") {
		var f uintptr
		for _, ns := range All() {
			if tok == ns.Attach || tok == ns.Name {
				f = ns.Flag
			}
		}
		if f == 0 {
			return 0, fmt.Errorf("unknown namespace %q (use MOUNT, PID, UTSNAME, IPC, USER, NETWORK, CGROUP or TIME, joined with |)", tok)
		}
		flags |= f
	}
	return flags, nil
}
