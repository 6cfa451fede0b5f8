// Package mapped runs small steps as the root of a container's user
// namespace, the way LXC does through lxc-usernsexec
// (userns_exec_mapped_root, chown_mapped_root, create_run_template): the
// process gets the container's lxc.idmap plus one entry for the caller's
// own ids, so that what it writes belongs to the container's ids and it
// can still reach the files the caller owns. Root writes the maps
// itself; a user goes through newuidmap/newgidmap after the
// /etc/subuid and /etc/subgid check (internal/idmap), so a user needs no
// privilege beyond those ranges.
//
// The steps are spawn stages of the golxc binary (registered in init):
// chown (Chown) and the built-in busybox template (Busybox).
package mapped
