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
package cgroup
