// Package usernic holds the policy of lxc-user-nic, the setuid-root
// helper that gives an unprivileged container a veth on a host bridge:
// the quotas of /etc/lxc/lxc-usernet (USER or @GROUP, TYPE, BRIDGE,
// COUNT, consumed in file order) and LXC's record of the devices it made,
// /run/lxc/nics (one "OWNER TYPE BRIDGE NICNAME" line each). Everything
// here is a pure function of its inputs, so the rules are tested without
// root and the setuid binary only does I/O around them.
//
// The setuid binary is cmd/lxc-user-nic (installed 4755 root in
// PREFIX/libexec/golxc by make install). Still to do (issue 11): lxc-start
// calling it for a veth of an unprivileged container, per-user runtime
// paths, and the differential run of LXC's lxc-test-usernic.
//
// What LXC 5.0.2's helper does, learnt from its source (lxc_user_nic.c)
// and to be matched: create checks access(2) of /proc/PID/ns/net with
// the real ids, takes the first lxc-usernet allotment with room (after
// culling records of devices that are gone), names the host end
// vethUID_XXXX and the peer the same plus "p", gives the host end the
// bridge's MTU and attaches it, renames the peer inside to NICNAME (or
// "eth%d") after setns and setresuid(ruid, ruid, 0) so the kernel checks
// the caller's own privilege over that namespace, and prints
// "CONTAINERNIC:IFINDEX:HOSTNIC:IFINDEX" (e.g. eth0:731:veth9MT2L4:730).
// Delete opens the path with O_PATH, requires nsfs, reopens it through
// /proc/self/fd, proves privilege by trying to delete "lo" there as the
// real uid (ENOTSUP: privileged, EPERM: not), and then only handles Open
// vSwitch bridges ("Deletion of non ovs type network devices not
// implemented"): a veth on a Linux bridge goes away with its netns. Errors
// go to stderr, exit 1, "Quota reached" when no allotment has room.
//
// Go or C for that binary: Go, with C only where Go cannot do the job,
// and nothing found so far needs C. What Go 1.26's runtime does for a
// setuid binary (the kernel sets AT_SECURE): it forces GOTRACEBACK=none,
// and a fatal error exits 2 without printing anything; like every Go
// program it opens /dev/null on any of fds 0-2 that arrive closed, so a
// file the helper opens later cannot become its stderr. It still reads
// GODEBUG, GOGC, GOMAXPROCS and the like from the caller's environment
// before main: they tune the runtime and grant nothing, but the helper
// must clear its environment first and never hand it on (no exec, no
// shell: netlink only, no locale). Go's setresuid changes every thread
// at once (what the real-uid checks need); setns(CLONE_NEWNET) is per
// thread, so the netns work runs on a locked OS thread that is thrown
// away afterwards (the goroutine returns without UnlockOSThread).
package usernic
