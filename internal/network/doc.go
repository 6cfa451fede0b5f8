// Package network gives a container the interfaces its lxc.net.N.* keys
// describe, the way LXC 5.0.2 does: devices are created in the monitor
// (macvlan, ipvlan, vlan, or a physical device taken from the host),
// moved into the network namespace of the container's init by fd, and
// configured there through a netlink handle bound to that namespace
// (name, MAC, addresses, up, gateways); no process is attached. A veth
// pair is created with its peer already in that namespace (the peer's
// IFLA_NET_NS_FD, as LXC's IFLA_NET_NS_PID), so it is never moved: a move
// costs the kernel an rcu_barrier per device. Its host end is then set up
// (MAC, MTU, bridge, VLANs, up, routes, proxy entries), script.up runs
// with the peer inside under its creation name, and the peer is renamed
// and configured inside like a moved device.
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
