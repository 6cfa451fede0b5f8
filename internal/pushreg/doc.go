// Package pushreg is the registry through which container monitors push
// their state records to golxc's lxc-monitor, the job LXC gives to
// lxc-monitord.
//
// An lxc-monitor registers a listener for each lxcpath it watches: a
// unix datagram socket in RUNDIR/lxc/monitors/HASH, HASH being the FNV-1a
// 64-bit hash of the cleaned lxcpath as 16 lower-case hex digits (a fixed
// length, so the socket path fits sun_path whatever the lxcpath; LXC hashes
// its socket names the same way when they are too long). RUNDIR is the
// caller's runtime directory (/run for root, else $XDG_RUNTIME_DIR, else
// ~/.cache/lxc/run), as for locks and LXC's monitor FIFO. Each socket is
// named PID-RANDOM and removed by its listener when it exits.
//
// A container monitor sends each record it gives its state clients (one
// struct lxc_msg, cmdsock.Msg) to every socket in the directory of its
// lxcpath, without blocking: a listener whose queue is full misses the
// record (logged), and a socket nobody listens on any more is removed.
//
// Spoofing: the directory is created 0700 and must be owned by the caller
// and closed to group and others, for both sides, so only the owner (and
// root) can reach the sockets; the listener also checks the sender's
// SCM_CREDENTIALS and drops records from anyone but root and itself.
package pushreg
