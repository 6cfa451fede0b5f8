/*
 * The namespace stage of golxc: runs before the Go runtime starts, so the
 * process is still single-threaded and may unshare/setns into any namespace
 * (setns(CLONE_NEWUSER) and setns(CLONE_NEWNS) refuse multithreaded callers).
 *
 * It does nothing unless _GOLXC_NSEXEC names the bootstrap socket. Then it
 * reads one struct golxc_bootstrap, creates or joins namespaces, forks the
 * final process with CLONE_PARENT (so the Go parent owns it) and returns
 * into the Go runtime in that final process. No mounts, no config, no
 * policy: everything else is Go. The protocol is documented in doc.go.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <unistd.h>

#include "errtext.h"
#include "nsexec.h"

#ifndef CLONE_NEWCGROUP
#define CLONE_NEWCGROUP 0x02000000
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

_Static_assert(sizeof(struct golxc_bootstrap) == GOLXC_BOOTSTRAP_SIZE,
	       "bootstrap layout changed: update bootstrap.go");

int golxc_nsexec_mode = 0;
int golxc_nsexec_syncfd = -1;

static int syncfd = -1;

/* User first: for create it must precede the rest so they are owned by it. */
static const struct nsinfo {
	int flag;
	const char *name;  /* /proc/PID/ns/<name> */
	const char *cname; /* for error lines */
} nstab[] = {
	{CLONE_NEWUSER, "user", "CLONE_NEWUSER"},
	{CLONE_NEWUTS, "uts", "CLONE_NEWUTS"},
	{CLONE_NEWIPC, "ipc", "CLONE_NEWIPC"},
	{CLONE_NEWNET, "net", "CLONE_NEWNET"},
	{CLONE_NEWNS, "mnt", "CLONE_NEWNS"},
	{CLONE_NEWCGROUP, "cgroup", "CLONE_NEWCGROUP"},
	{CLONE_NEWTIME, "time", "CLONE_NEWTIME"},
	{CLONE_NEWPID, "pid", "CLONE_NEWPID"},
};
#define NSCOUNT ((int)(sizeof(nstab) / sizeof(nstab[0])))

/*
 * failf reports "E<errno> <step>" to the parent, which renders it as
 * "spawn: <step>: <errno string>", and exits. If the parent cannot be told,
 * the line goes to stderr instead.
 */
static void __attribute__((noreturn, format(printf, 1, 2))) failf(const char *fmt, ...)
{
	int err = errno;
	char step[160], line[192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	vsnprintf(step, sizeof(step), fmt, ap);
	va_end(ap);
	n = snprintf(line, sizeof(line), "E%d %s", err, step);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	if (syncfd < 0 || send(syncfd, line, n, MSG_NOSIGNAL) != n)
		dprintf(2, "golxc: namespace stage: %s: %s\n", step, golxc_strerror(err));
	_exit(1);
}

static void tell(const char *msg, size_t len)
{
	ssize_t n;

	do
		n = send(syncfd, msg, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)len)
		_exit(1); /* the parent is gone: nobody left to report to */
}

static void await(char want)
{
	ssize_t n;
	char c;

	do
		n = recv(syncfd, &c, 1, 0);
	while (n < 0 && errno == EINTR);
	if (n != 1)
		_exit(1); /* the parent gave up; it reaps us */
	if (c != want) {
		errno = EPROTO;
		failf("wait for parent reply '%c' (got '%c')", want, c);
	}
}

/* Keep host-privileged state away from ptrace by the container. Called
 * again after every credential change, which resets the flag. */
static void nodump(void)
{
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		failf("prctl(PR_SET_DUMPABLE, 0)");
}

static void become_root(void)
{
	if (setresgid(0, 0, 0) < 0)
		failf("setresgid(0)");
	/* EPERM: setgroups is "deny" in this user namespace; keep the list. */
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		failf("setgroups(0)");
	if (setresuid(0, 0, 0) < 0)
		failf("setresuid(0)");
	nodump();
}

static const char *flagnames(uint64_t flags)
{
	static char buf[160];
	size_t len = 0;

	buf[0] = '\0';
	for (int i = 0; i < NSCOUNT; i++)
		if (flags & nstab[i].flag)
			len += snprintf(buf + len, sizeof(buf) - len, "%s%s", len ? "|" : "", nstab[i].cname);
	return buf;
}

static const char *nsname(uint32_t flag)
{
	for (int i = 0; i < NSCOUNT; i++)
		if ((uint32_t)nstab[i].flag == flag)
			return nstab[i].name;
	return "?";
}

/* check_share rejects a share list the parent should never send: unknown
 * or repeated types, or a type that is also to be unshared. */
static uint64_t check_share(const struct golxc_bootstrap *b)
{
	uint64_t seen = 0;

	errno = EINVAL;
	if (b->nshare > GOLXC_MAX_SHARE || (b->nshare && b->mode != GOLXC_MODE_CREATE))
		failf("bootstrap message: %u shared namespaces in mode %u", b->nshare, b->mode);
	for (uint32_t i = 0; i < b->nshare; i++) {
		uint32_t t = b->share[i].nstype;

		if (!strcmp(nsname(t), "?") || (seen & t) || (b->nsflags & t) || b->share[i].fd < 0)
			failf("bootstrap message: shared namespace %u (type %#x, fd %d)", i, t, b->share[i].fd);
		seen |= t;
	}
	return seen;
}

/* is_own_ns reports whether fd is the namespace we are already in (joining
 * the own user namespace is EINVAL; for the others it is a no-op). */
static int is_own_ns(int fd, uint32_t nstype)
{
	char path[64];
	struct stat self, them;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", nsname(nstype));
	if (stat(path, &self) < 0)
		failf("stat(%s)", path);
	if (fstat(fd, &them) < 0)
		failf("fstat(shared %s namespace fd)", nsname(nstype));
	return self.st_dev == them.st_dev && self.st_ino == them.st_ino;
}

/* join_shared enters the inherited namespace fds: the user one (user=1) or
 * all the others (user=0). setns checks that each fd is of its type. It
 * returns whether it changed namespaces. */
static int join_shared(const struct golxc_bootstrap *b, int user)
{
	int joined = 0;

	for (uint32_t i = 0; i < b->nshare; i++) {
		const struct golxc_share *s = &b->share[i];

		if ((s->nstype == CLONE_NEWUSER) != user)
			continue;
		if (!is_own_ns(s->fd, s->nstype)) {
			if (setns(s->fd, s->nstype) < 0)
				failf("setns(shared %s namespace)", nsname(s->nstype));
			joined = 1;
		}
		close(s->fd);
	}
	return joined;
}

static void create(const struct golxc_bootstrap *b)
{
	uint64_t shared = check_share(b);

	/*
	 * A shared user ns comes first: the other namespaces are then joined
	 * and created with the privileges it grants. The other shared ones
	 * come before a new user ns, while we still hold the host's
	 * privileges over namespaces owned by the initial user ns.
	 */
	if ((shared & CLONE_NEWUSER) && join_shared(b, 1))
		become_root();
	if (join_shared(b, 0))
		nodump();
	if (b->nsflags & CLONE_NEWUSER) {
		if (unshare(CLONE_NEWUSER) < 0)
			failf("unshare(CLONE_NEWUSER)");
		/* Dumpable so a setuid newuidmap may open /proc/<pid>/uid_map. */
		if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
			failf("prctl(PR_SET_DUMPABLE, 1)");
		tell("M", 1);
		await('m');
		nodump();
		become_root();
	}
	if (b->opts & GOLXC_OPT_PREPARE) {
		tell("P", 1);
		await('p');
	}
	/*
	 * One call per namespace so an error names the one that failed. A
	 * shared pid ns needs nothing more: setns(CLONE_NEWPID) only changes
	 * where children go, so the fork below puts the final process in it.
	 */
	for (int i = 1; i < NSCOUNT; i++)
		if ((b->nsflags & nstab[i].flag) && unshare(nstab[i].flag) < 0)
			failf("unshare(%s)", nstab[i].cname);
}

/* same_ns reports whether we already are in pid's namespace (joining the
 * own user namespace is EINVAL, others are pointless). */
static int same_ns(int pid, const struct nsinfo *ns)
{
	char path[64];
	struct stat self, them;

	snprintf(path, sizeof(path), "/proc/self/ns/%s", ns->name);
	if (stat(path, &self) < 0)
		failf("stat(%s)", path);
	snprintf(path, sizeof(path), "/proc/%d/ns/%s", pid, ns->name);
	if (stat(path, &them) < 0) {
		/* A user may not look at the namespaces of its container's
		 * (non-dumpable) init, whose ids differ from its own: those
		 * are not ours, and setns(pidfd) still judges the join. */
		if (errno == EACCES || errno == EPERM)
			return 0;
		failf("stat(%s)", path);
	}
	return self.st_dev == them.st_dev && self.st_ino == them.st_ino;
}

/* Fallback for kernels without setns(pidfd) (< 5.8) or without a pidfd. */
static void join_by_path(const struct golxc_bootstrap *b, uint64_t want)
{
	int fds[NSCOUNT];
	char path[64];

	for (int i = 0; i < NSCOUNT; i++) {
		fds[i] = -1;
		if (!(want & nstab[i].flag))
			continue;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", b->join_pid, nstab[i].name);
		fds[i] = open(path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0)
			failf("open(%s)", path);
	}
	/* A live pidfd proves the fds came from that process, not a recycled pid. */
	if (b->pidfd >= 0 && syscall(SYS_pidfd_send_signal, b->pidfd, 0, NULL, 0) < 0)
		failf("pidfd_send_signal(pid %d, 0)", b->join_pid);
	/*
	 * runc/LXC order: a privileged caller joins the non-user namespaces
	 * first (the target's user ns would not let it); an unprivileged one
	 * can only join them after the user ns. So: try the others, join user,
	 * then retry what failed and report that error.
	 */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 1; i < NSCOUNT; i++) {
			if (fds[i] < 0)
				continue;
			if (setns(fds[i], nstab[i].flag) == 0) {
				close(fds[i]);
				fds[i] = -1;
			} else if (pass == 1) {
				failf("setns(/proc/%d/ns/%s)", b->join_pid, nstab[i].name);
			}
		}
		if (pass == 0 && fds[0] >= 0) {
			if (setns(fds[0], CLONE_NEWUSER) < 0)
				failf("setns(/proc/%d/ns/user)", b->join_pid);
			close(fds[0]);
		}
	}
}

static void join(const struct golxc_bootstrap *b)
{
	uint64_t want = 0;

	check_share(b); /* none allowed here */
	if (b->opts & GOLXC_OPT_PREPARE) {
		tell("P", 1);
		await('p');
	}
	for (int i = 0; i < NSCOUNT; i++)
		if ((b->nsflags & nstab[i].flag) && !same_ns(b->join_pid, &nstab[i]))
			want |= nstab[i].flag;
	if (want) {
		/* setns(pidfd) joins all at once, atomically, with no pid race. */
		if (b->pidfd < 0 || setns(b->pidfd, want) < 0) {
			if (b->pidfd >= 0 && errno != EINVAL)
				failf("setns(pidfd of %d, %s)", b->join_pid, flagnames(want));
			join_by_path(b, want);
		}
		nodump();
	}
	if (b->pidfd >= 0)
		close(b->pidfd);
	if (want & CLONE_NEWUSER)
		become_root();
}

/*
 * lxc-execute's init stays in the setup process (no re-exec). Capability
 * sets and the bounding set are per-thread and a Go process cannot change
 * its other threads' sets, so they are narrowed here, before the Go
 * runtime starts its first thread: every thread then inherits exactly the
 * container's capabilities. The parent only asks for this when the setup
 * needs no capability the container loses.
 */
static void narrow_caps(uint64_t keep)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	for (int c = 0; c < 64; c++) {
		if (c == CAP_SETPCAP || (keep & (1ULL << c)))
			continue;
		if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) < 0)
			break; /* past the kernel's last capability */
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			failf("prctl(PR_CAPBSET_DROP, %d)", c);
	}
	if (!(keep & (1ULL << CAP_SETPCAP)) && prctl(PR_CAPBSET_DROP, CAP_SETPCAP, 0, 0, 0) < 0)
		failf("prctl(PR_CAPBSET_DROP, CAP_SETPCAP)");
	if (syscall(SYS_capget, &hdr, data) < 0)
		failf("capget");
	for (int i = 0; i < 2; i++) {
		uint32_t m = (uint32_t)(keep >> (32 * i));
		data[i].effective &= m;
		data[i].permitted &= m;
		data[i].inheritable &= m;
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		failf("capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		failf("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
}

/* fork() that makes the child a sibling: the Go parent then owns (waits
 * for, holds a pidfd on) the final process and no subreaper is needed. */
static pid_t clone_parent(void)
{
#if defined(__s390__) || defined(__CRIS__)
	return syscall(SYS_clone, 0, CLONE_PARENT | SIGCHLD);
#else
	return syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, NULL, NULL, 0);
#endif
}

__attribute__((constructor)) static void golxc_nsexec(void)
{
	struct golxc_bootstrap b;
	const char *env = getenv("_GOLXC_NSEXEC");
	char *end, msg[32];
	int gate[2], n;
	ssize_t got;
	pid_t pid;
	long fd;

	if (!env)
		return; /* the common case: a normal golxc command */

	errno = 0;
	fd = strtol(env, &end, 10);
	if (errno || *end || end == env || fd < 3 || fd > 1 << 20) {
		dprintf(2, "golxc: invalid _GOLXC_NSEXEC=%s (internal variable)\n", env);
		_exit(1);
	}
	syncfd = (int)fd;

	do
		got = recv(syncfd, &b, sizeof(b), 0);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		failf("read bootstrap message");
	if (got != sizeof(b) || b.size != sizeof(b) || b.magic != GOLXC_BOOTSTRAP_MAGIC ||
	    b.version != GOLXC_BOOTSTRAP_VERSION) {
		errno = EPROTO;
		failf("read bootstrap message (%zd bytes, version %u)", got, got >= 12 ? b.version : 0);
	}
	if (b.exefd >= 0 && b.exefd != syncfd)
		close(b.exefd);
	nodump();

	if (b.mode == GOLXC_MODE_CREATE)
		create(&b);
	else if (b.mode == GOLXC_MODE_JOIN)
		join(&b);
	else {
		errno = EINVAL;
		failf("bootstrap mode %u", b.mode);
	}

	/* The gate orders our "D<pid>" before anything the final process sends. */
	if (pipe2(gate, O_CLOEXEC) < 0)
		failf("pipe2");
	pid = clone_parent();
	if (pid < 0)
		failf("clone(CLONE_PARENT)");
	if (pid > 0) {
		n = snprintf(msg, sizeof(msg), "D%d", (int)pid);
		tell(msg, n);
		if (write(gate[1], "g", 1) != 1)
			_exit(1);
		_exit(0);
	}

	close(gate[1]);
	do
		got = read(gate[0], msg, 1);
	while (got < 0 && errno == EINTR);
	if (got != 1)
		_exit(1); /* the intermediate died before reporting our pid */
	close(gate[0]);

	if (b.pdeathsig && prctl(PR_SET_PDEATHSIG, b.pdeathsig, 0, 0, 0) < 0)
		failf("prctl(PR_SET_PDEATHSIG)");
	if ((b.opts & GOLXC_OPT_SETSID) && setsid() < 0)
		failf("setsid");
	if (fcntl(syncfd, F_SETFD, FD_CLOEXEC) < 0)
		failf("fcntl(sync fd, FD_CLOEXEC)");
	if (b.opts & GOLXC_OPT_NARROWCAPS)
		narrow_caps(b.capkeep);
	/* Per-thread too: set before the Go runtime exists, every thread has it. */
	if ((b.opts & GOLXC_OPT_NONEWPRIVS) && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		failf("prctl(PR_SET_NO_NEW_PRIVS)");
	nodump();
	/* A user's container init: its owner (the user, whose monitor and
	 * lxc-user-nic must reach it) may ptrace it anyway through the user
	 * namespace it owns; nothing else runs in the container yet. */
	if ((b.opts & GOLXC_OPT_DUMPABLE) && prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		failf("prctl(PR_SET_DUMPABLE, 1)");
	tell("R", 1);
	if (b.opts & GOLXC_OPT_EXECPLAN)
		golxc_execplan(syncfd);
	golxc_nsexec_mode = (int)b.mode;
	golxc_nsexec_syncfd = syncfd;
}
