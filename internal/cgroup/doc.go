// Package cgroup lays out and drives a container's cgroups the way LXC 5.0.2
// does (cgfsng): a monitor cgroup lxc.monitor.NAME holding the monitor
// process and a payload cgroup lxc.payload.NAME holding the container, in
// every mounted hierarchy, on cgroup v1 ("legacy"), v2 ("unified") and
// hybrid hosts.
//
// Detection (Detect) reads /proc/self/mountinfo and /proc/{self,1}/cgroup
// into a Layout. Per-version behaviour (freezing, statistics, limits, kill)
// lives behind the driver interface with one file per backend: v1.go,
// v2.go, and hybrid.go which composes them.
//
// Paths follow LXC: when running as root and lxc.cgroup.relative is off the
// cgroups are created under init's (pid 1's) cgroup in each hierarchy, with
// a trailing /init.scope removed; otherwise under the calling process's own
// cgroup.
//
// Moves (gracemove.go): each write to a cgroup.procs file takes the kernel's
// global cgroup_threadgroup_rwsem, whose first taker after an idle spell
// waits for an RCU grace period (10-20 ms) while holding cgroup_mutex, so
// that every cgroup mkdir, rmdir and move waits too; moves that follow
// within about a grace period pay nothing. A start therefore makes its
// moves close together and starts the first one early, in the background:
// CreateMonitorDirs and StartEnterMonitor split CreateMonitor so the
// monitor's move runs beside the caller's other work (Move.Wait joins it
// and returns its error), and StartGracePeriod starts the wait with a
// no-op move of the caller into its own v1 cgroup when there is nothing to
// move yet (lxc-attach; a monitor without a monitor cgroup). Only v1
// hierarchies need this (HasLegacy): on a pure cgroup2 host the stage is
// cloned into its payload cgroup.
package cgroup
