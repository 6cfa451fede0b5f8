package main

/*
#include <stdlib.h>
#include "capi.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/cgroup"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/namespace"
)

// The attach flags golxc honours (attach_options.h).
const (
	attachMoveToCgroup   = 0x00000001
	attachDropCaps       = 0x00000002
	attachSetPersonality = 0x00000004
	attachRemountProcSys = 0x00010000
	attachNoNewPrivs     = 0x00040000
	attachTerminal       = 0x00080000
	attachSetGroups      = 0x00200000
	detectPersonality    = -1
)

// golxcAttachPlan resolves an attach into what the C child does: which
// namespaces (init's, skipping those we share) and cgroups it enters and
// how it drops privileges, from the options and the container's config,
// as lxc-attach does. It returns -1 (logged) when the container is not
// running or a namespace cannot be opened.
//
//export golxcAttachPlan
func golxcAttachPlan(c *C.lxc_c, o *C.lxc_attach_options_t, p *C.struct_golxc_attach_plan) C.int {
	if err := makePlan(c, o, p); err != nil {
		fail(c, fmt.Errorf("attach: %w", err))
		golxcAttachPlanFree(p)
		if errors.Is(err, errNotRunning) {
			// liblxc's answer: its command socket refused the connection.
			return -C.int(unix.ECONNREFUSED)
		}
		return -1
	}
	return 0
}

var errNotRunning = errors.New("container is not running")

func makePlan(c *C.lxc_c, o *C.lxc_attach_options_t, p *C.struct_golxc_attach_plan) error {
	x := container(c)
	for i := range p.ns_fds {
		p.ns_fds[i] = -1
	}
	p.pty_ptx, p.pty_pts = -1, -1
	pid := x.InitPid()
	if pid <= 0 {
		return errNotRunning
	}
	spec, err := x.Spec()
	if err != nil {
		return err
	}
	flags := int(o.attach_flags)

	want := uintptr(namespace.AllFlags())
	if o.namespaces != -1 {
		want = uintptr(o.namespaces)
	}
	for _, ns := range namespace.All() {
		if want&ns.Flag == 0 || sameNS(pid, ns.Name) {
			continue
		}
		fd, err := unix.Open(fmt.Sprintf("/proc/%d/ns/%s", pid, ns.Name), unix.O_RDONLY|unix.O_CLOEXEC, 0)
		if err != nil {
			if errors.Is(err, unix.ENOENT) {
				continue // a namespace type this kernel lacks
			}
			return fmt.Errorf("open %s namespace of %d: %w", ns.Name, pid, err)
		}
		p.ns_fds[p.ns_count] = C.int(fd)
		p.ns_count++
	}

	if flags&attachMoveToCgroup != 0 {
		procs, err := cgroupProcs(x.Name(), pid)
		if err != nil {
			return err
		}
		p.cgroup_procs = cStrings(procs)
	}

	if flags&attachDropCaps != 0 {
		last := config.LastCap()
		all := uint64(1)<<uint(last+1) - 1
		p.cap_drop = C.uint64_t(all &^ spec.Caps.Kept(all))
		p.last_cap = C.int(last)
	}
	p.no_new_privs = C.bool(spec.NoNewPrivs || flags&attachNoNewPrivs != 0)

	p.personality = -1
	if flags&attachSetPersonality != 0 {
		if o.personality != detectPersonality {
			p.personality = C.long(o.personality)
		} else if spec.Personality >= 0 {
			p.personality = C.long(spec.Personality)
		}
	}

	uid, gid := int(int32(o.uid)), int(int32(o.gid))
	if uid < 0 {
		uid = spec.Init.UID
	}
	if gid < 0 {
		gid = spec.Init.GID
	}
	p.uid, p.gid, p.set_ids = C.uid_t(uid), C.gid_t(gid), true
	if flags&attachSetGroups != 0 && o.groups.size > 0 && o.groups.list != nil {
		n := int(o.groups.size)
		p.groups = (*C.gid_t)(C.malloc(C.size_t(n) * C.size_t(unsafe.Sizeof(C.gid_t(0)))))
		copy(unsafe.Slice(p.groups, n), unsafe.Slice(o.groups.list, n))
		p.ngroups = C.size_t(n)
	}

	if o.initial_cwd != nil {
		p.cwd = C.CString(C.GoString(o.initial_cwd))
	} else if wd, err := os.Getwd(); err == nil {
		p.cwd = C.CString(wd)
	}

	p.clear_env = o.env_policy == 1
	p.keep_env = cStrings(goStrings(o.extra_keep_env))
	p.set_env = cStrings(append(append([]string{}, spec.Environment...), goStrings(o.extra_env_vars)...))
	p.fds = [3]C.int{o.stdin_fd, o.stdout_fd, o.stderr_fd}
	// As LXC: only when the mount namespace is not joined (the remount
	// gives the host's mounts the container's /proc and /sys).
	p.remount_proc_sys = C.bool(flags&attachRemountProcSys != 0 && want&unix.CLONE_NEWNS == 0)
	if flags&attachTerminal != 0 {
		if err := attachPTY(x.ConfigPath(), x.Name(), pid, p); err != nil {
			return fmt.Errorf("Failed to setup new terminal: %w", err)
		}
	}
	return nil
}

// cgroupProcs lists the cgroup.procs files the attached process joins:
// init's payload cgroup in every hierarchy, and in cgroup2 its ".lxc" leaf
// as LXC does (created here; golxc's teardown removes sub-cgroups), the
// child falling back to the payload itself when the leaf refuses it.
func cgroupProcs(name string, pid int) ([]string, error) {
	l, err := cgroup.Detect()
	if err != nil {
		return nil, nil // no cgroups to join
	}
	cg, err := cgroup.FromPid(l, pid, name)
	if err != nil {
		return nil, fmt.Errorf("cgroups of %d: %w", pid, err)
	}
	paths := cg.Paths()
	seen := map[string]bool{}
	var procs []string
	// cgroup2 first: controllers it carries map to the same directory,
	// and that directory's entry must be the leaf's.
	if dir, ok := paths["unified"]; ok {
		seen[dir] = true
		leaf := filepath.Join(dir, ".lxc")
		if err := os.Mkdir(leaf, 0o755); err == nil || os.IsExist(err) {
			procs = append(procs, filepath.Join(leaf, "cgroup.procs"))
		} else {
			procs = append(procs, filepath.Join(dir, "cgroup.procs"))
		}
	}
	for _, dir := range paths {
		if !seen[dir] {
			seen[dir] = true
			procs = append(procs, filepath.Join(dir, "cgroup.procs"))
		}
	}
	return procs, nil
}

// sameNS reports whether pid shares our namespace of that type.
func sameNS(pid int, name string) bool {
	var self, them unix.Stat_t
	if unix.Stat("/proc/self/ns/"+name, &self) != nil || unix.Stat(fmt.Sprintf("/proc/%d/ns/%s", pid, name), &them) != nil {
		return false
	}
	return self.Ino == them.Ino && self.Dev == them.Dev
}

func freeStrings(v **C.char) {
	if v == nil {
		return
	}
	for p := v; *p != nil; p = (**C.char)(unsafe.Add(unsafe.Pointer(p), unsafe.Sizeof(p))) {
		C.free(unsafe.Pointer(*p))
	}
	C.free(unsafe.Pointer(v))
}

//export golxcAttachPlanFree
func golxcAttachPlanFree(p *C.struct_golxc_attach_plan) {
	for i := 0; i < int(p.ns_count); i++ {
		unix.Close(int(p.ns_fds[i]))
	}
	p.ns_count = 0
	freeStrings(p.cgroup_procs)
	freeStrings(p.keep_env)
	freeStrings(p.set_env)
	for _, fd := range []*C.int{&p.pty_ptx, &p.pty_pts} {
		if *fd >= 0 {
			unix.Close(int(*fd))
			*fd = -1
		}
	}
	C.free(unsafe.Pointer(p.cwd))
	C.free(unsafe.Pointer(p.groups))
	p.cgroup_procs, p.keep_env, p.set_env, p.cwd, p.groups = nil, nil, nil, nil, nil
}
