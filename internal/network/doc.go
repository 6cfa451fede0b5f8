// Package network gives a container the interfaces its lxc.net.N.* keys
// describe, the way LXC 5.0.2 does: host-side devices are created in the
// monitor (veth pair, macvlan, ipvlan, vlan, or a physical device taken
// from the host), moved into the network namespace of the container's
// init by fd, and configured there through a netlink handle bound to that
// namespace (name, MAC, addresses, up, gateways); no process is attached.
//
// Each device type is a driver in its own file. Everything created on the
// host is recorded in a state file under RUNDIR/golxc/network (config.GolxcRuntimeDir) so that
// what a killed monitor left (proxy neighbour entries, stray veths, and
// physical devices that the kernel handed back to the host under their
// in-container name) is undone by the container's next start, which
// sweeps its own records only, by lxc-destroy (SweepContainer), which does
// the same for a container no start will come for, or by `golxc net
// cleanup`, which sweeps every dead record under its container's lock.
package network
