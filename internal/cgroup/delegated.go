package cgroup

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/log"
)

// unifiedDelegateFiles are the files of a cgroup2 directory a user must be
// able to write to manage it (LXC's __list_cgroup_delegate default list,
// cgroup.threads being optional on older kernels).
var unifiedDelegateFiles = []string{"cgroup.procs", "cgroup.subtree_control", "cgroup.threads"}

// Delegated is the layout a non-root caller can use: as LXC's cgfsng does,
// a v1 hierarchy whose current cgroup directory is not writable, or a v2
// one whose delegation files are not, is skipped (LXC runs without them).
// Root keeps everything. With no hierarchy left the error is one line
// naming the cgroup to delegate and how; golxc refuses to run a
// container it could neither limit, freeze nor find again.
func (l *Layout) Delegated() (*Layout, error) {
	if l.Euid == 0 {
		return l, nil
	}
	out := *l
	out.Hierarchies = nil
	var skipped []*Hierarchy
	for _, h := range l.Hierarchies {
		dir := h.Dir(h.SelfPath)
		if why := notDelegated(h, dir); why != "" {
			log.Infof("Skipping cgroup hierarchy %s: %s", h.Name(), why)
			skipped = append(skipped, h)
			continue
		}
		log.Tracef("Using delegated cgroup %s", dir)
		out.Hierarchies = append(out.Hierarchies, h)
	}
	if len(out.Hierarchies) == 0 {
		return nil, errNoDelegation(l, skipped, systemdBooted())
	}
	return &out, nil
}

// notDelegated says why dir (the caller's cgroup in h) is not usable, ""
// when it is.
func notDelegated(h *Hierarchy, dir string) string {
	if !h.Unified {
		if err := unix.Access(dir, unix.W_OK); err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Sprintf("%s is not writable (%v)", dir, err)
		}
		return ""
	}
	for _, f := range unifiedDelegateFiles {
		p := filepath.Join(dir, f)
		if err := unix.Access(p, unix.W_OK); err != nil && !errors.Is(err, unix.ENOENT) {
			return fmt.Sprintf("%s is not writable (%v)", p, err)
		}
	}
	return ""
}

// systemdBooted: systemd is PID 1 (sd_booted's test).
func systemdBooted() bool {
	fi, err := os.Lstat("/run/systemd/system")
	return err == nil && fi.IsDir()
}

// errNoDelegation is the one line a user without a delegated cgroup gets.
// Where systemd is PID 1 the user's login cgroup (a session scope) is
// root's; the user's own systemd delegates a scope on request, which is
// the first thing to try there.
func errNoDelegation(l *Layout, skipped []*Hierarchy, systemd bool) error {
	err := errNoDelegationLine(l, skipped)
	if systemd {
		return fmt.Errorf("%w; on this systemd host the simplest is a scope your user manager delegates: systemd-run --user --scope -p Delegate=yes -- lxc-start ...", err)
	}
	return err
}

func errNoDelegationLine(l *Layout, skipped []*Hierarchy) error {
	who := strconv.Itoa(l.Euid)
	name := who
	if u, err := user.LookupId(who); err == nil {
		name = u.Username
	}
	var v1 []string
	var cur string
	for _, h := range skipped {
		if h.Unified {
			continue
		}
		v1 = append(v1, filepath.Base(h.Mount))
		cur = h.SelfPath
	}
	if len(v1) == 0 {
		u := l.Unified()
		dir := "/sys/fs/cgroup"
		if u != nil {
			dir = u.Dir(u.SelfPath)
		}
		return fmt.Errorf("cgroups: no cgroup is delegated to %s (uid %s): %s is not writable; as root delegate one (mkdir %s/%s; chown %s: %s/%s %s/%s/{cgroup.procs,cgroup.subtree_control,cgroup.threads}) and run %s's shell in it (echo $$ > %s/%s/cgroup.procs), or log in through systemd with Delegate=yes",
			name, who, dir, dir, name, name, dir, name, dir, name, name, dir, name)
	}
	base := "/sys/fs/cgroup"
	ctrls := "{" + strings.Join(v1, ",") + "}"
	if len(v1) == 1 {
		ctrls = v1[0]
	}
	return fmt.Errorf("cgroups: no cgroup is delegated to %s (uid %s): the current cgroup %s is not writable in any hierarchy; as root delegate one in each v1 hierarchy, as LXC's lxc-test-unpriv does: for d in %s/%s; do mkdir -p $d/%s; chown -R %s: $d/%s; done, then move %s's shell into it (echo PID > $d/%s/tasks for each d)",
		name, who, cur, base, ctrls, name, name, name, name, name)
}
