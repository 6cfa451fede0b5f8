/*
 * The exec-plan executor: the last steps of a process golxc puts into a
 * container, carried out before any Go runtime starts, ending in execve.
 * Go decides everything (which ids, which capabilities, which filter,
 * which command) and sends it as a plan of fixed operations (execplan.h);
 * this file only performs them in the order given, logs each step in
 * LXC's format and reports a failure as one line on stderr. It runs in the
 * final process of the namespace stage when the bootstrap message asks for
 * it (GOLXC_OPT_EXECPLAN) and never returns.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <dirent.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "errtext.h"
#include "execplan.h"
#include "nsexec.h"
#include "planrt.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif

int xp_syncfd = -1;

/* Who we are, for log and error lines; set by GOLXC_OP_IDENT. */
static struct {
	const char *prefix, *name;
	int quiet, logfd, level;
} id = {"golxc", "", 0, -1, 99};

const char *xp_name(void) { return id.name; }

static const char *const levels[] = {"TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR"};

/* xp_log writes one line as internal/log does: "PREFIX NAME
 * YYYYmmddHHMMSS.mmm LEVEL    nsexec - FILE:FUNC:LINE - MSG". */
/*
 * with_errtext copies fmt to out with every %m replaced by errno err's
 * text as golxc_strerror words it (glibc's: the C library's own %m would
 * use musl's words in a musl build); out is then the format to use.
 */
static const char *with_errtext(char *out, size_t n, const char *fmt, int err)
{
	size_t o = 0;

	if (!strstr(fmt, "%m"))
		return fmt;
	for (const char *f = fmt; *f && o < n - 1; f++) {
		if (f[0] == '%' && f[1] == 'm') {
			for (const char *t = golxc_strerror(err); *t && o < n - 2; t++) {
				if (*t == '%')
					out[o++] = '%';
				out[o++] = *t;
			}
			f++;
		} else if (f[0] == '%' && f[1] == '%' && o < n - 2) {
			out[o++] = *f++;
			out[o++] = *f;
		} else {
			out[o++] = *f;
		}
	}
	out[o] = '\0';
	return out;
}

void __attribute__((format(printf, 5, 6))) xp_log(int lvl, const char *file, const char *fn, int line, const char *fmt, ...)
{
	char buf[2048], f[512];
	struct timespec ts;
	struct tm tm;
	va_list ap;
	int n, m, err = errno;

	if (id.logfd < 0 || lvl < id.level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = snprintf(buf, sizeof(buf), "%s%s%s %04d%02d%02d%02d%02d%02d.%03ld %-8s nsexec - %s:%s:%d - ",
		     id.prefix, *id.name ? " " : "", id.name, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		     tm.tm_min, tm.tm_sec, ts.tv_nsec / 1000000, levels[lvl], file, fn, line);
	if (n < 0 || n >= (int)sizeof(buf) - 1)
		return;
	va_start(ap, fmt);
	m = vsnprintf(buf + n, sizeof(buf) - n - 1, with_errtext(f, sizeof(f), fmt, err), ap);
	va_end(ap);
	if (m < 0)
		return;
	m = n + m < (int)sizeof(buf) - 1 ? n + m : (int)sizeof(buf) - 2;
	for (int i = n; i < m; i++) /* a message never spans lines */
		if (buf[i] == '\n' || buf[i] == '\r')
			buf[i] = ' ';
	buf[m++] = '\n';
	if (write(id.logfd, buf, m) < 0) {
		/* nothing to do: the log is best effort, like internal/log */
	}
}


/*
 * The last report to the caller (internal/attach's stageReport, one JSON
 * packet on the sync socket, which stays open until the exec closes it):
 * whether we reached exec, or why not. Without one, the caller knows we
 * died on the way in (killed with the container, say).
 */
static struct {
	int fd;       /* the sync socket; -1 once a report went out */
	int streams;  /* the caller's streams are our 0-2: errors can be printed */
} rep = {-1, 0};

static void report(const char *json)
{
	if (rep.fd >= 0 && send(rep.fd, json, strlen(json), MSG_NOSIGNAL) < 0) {
		/* the caller is gone: nobody to tell */
	}
	rep.fd = -1;
}

/* report_err sends {"Err": msg}; returns 0 when it could not be sent. */
static int report_err(const char *msg)
{
	char json[2 * 1024 + 64];
	size_t n = 0;

	if (rep.fd < 0)
		return 0;
	n += snprintf(json, sizeof(json), "{\"Err\":\"");
	for (const unsigned char *c = (const unsigned char *)msg; *c && n < sizeof(json) - 16; c++) {
		if (*c == '"' || *c == '\\')
			n += snprintf(json + n, sizeof(json) - n, "\\%c", *c);
		else if (*c < 0x20)
			n += snprintf(json + n, sizeof(json) - n, "\\u%04x", *c);
		else
			json[n++] = (char)*c;
	}
	snprintf(json + n, sizeof(json) - n, "\"}");
	if (send(rep.fd, json, strlen(json), MSG_NOSIGNAL) < 0)
		return 0;
	rep.fd = -1;
	return 1;
}

/* xp_die logs the error, prints "PREFIX: NAME: MSG" (unless quiet) once the
 * caller's stderr is ours, else hands it to the caller, and exits. */
void __attribute__((noreturn, format(printf, 2, 3))) xp_die(int code, const char *fmt, ...)
{
	char msg[1024], f[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), with_errtext(f, sizeof(f), fmt, errno), ap);
	va_end(ap);
	LOG(ERROR, "%s", msg);
	if (!rep.streams && report_err(msg))
		_exit(code);
	if (!id.quiet)
		dprintf(2, "%s: %s%s%s\n", id.prefix, id.name, *id.name ? ": " : "", msg);
	report("{\"Failed\":true}");
	_exit(code);
}

/* A reader over one op's payload; a xp_malformed plan is a golxc bug. */

void __attribute__((noreturn)) xp_malformed(const char *what)
{
	errno = EPROTO;
	xp_die(1, "exec plan: malformed %s (golxc internal error)", what);
}

uint32_t xp_u32(struct rd *r)
{
	uint32_t v;

	if (r->end - r->p < 4)
		xp_malformed("u32");
	memcpy(&v, r->p, 4);
	r->p += 4;
	return v;
}

uint64_t xp_u64(struct rd *r)
{
	uint64_t v;

	if (r->end - r->p < 8)
		xp_malformed("u64");
	memcpy(&v, r->p, 8);
	r->p += 8;
	return v;
}

const void *xp_bytes(struct rd *r, uint32_t *len)
{
	const void *b;

	*len = xp_u32(r);
	if ((uint64_t)(r->end - r->p) < *len)
		xp_malformed("bytes");
	b = r->p;
	r->p += *len;
	return b;
}

/* Strings are NUL-terminated in the packet, with no NUL inside. */
const char *xp_str(struct rd *r)
{
	uint32_t len;
	const char *s = xp_bytes(r, &len);

	if (len == 0 || s[len - 1] != '\0' || strlen(s) != len - 1)
		xp_malformed("string");
	return s;
}

char **xp_strv(struct rd *r)
{
	uint32_t n = xp_u32(r);
	char **v;

	if (n > (uint32_t)(r->end - r->p) / 5) /* each takes at least 5 bytes */
		xp_malformed("string vector");
	v = calloc(n + 1, sizeof(*v));
	if (!v)
		xp_die(1, "exec plan: out of memory");
	for (uint32_t i = 0; i < n; i++)
		v[i] = (char *)xp_str(r);
	return v;
}

static void install_stdio(const int *fds, int nfds)
{
	if (nfds != 3) {
		errno = EPROTO;
		xp_die(1, "attach stage: got %d std streams with the plan, want 3", nfds);
	}
	for (int i = 0; i < 3; i++)
		if (dup3(fds[i], i, 0) < 0)
			xp_die(1, "attach stage: install std stream %d: %m", i);
	for (int i = 0; i < 3; i++)
		if (fds[i] > 2)
			close(fds[i]);
	rep.streams = 1;
}

/* A private mount namespace with /proc and /sys of the namespaces we
 * joined (lxc-attach -R without the mount namespace). */
static void remount_proc_sys(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		xp_die(1, "remount /proc and /sys: unshare(CLONE_NEWNS): %m");
	if (mount("", "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		xp_die(1, "remount /proc and /sys: make / a slave: %m");
	umount2("/proc", MNT_DETACH);
	if (mount("proc", "/proc", "proc", 0, NULL) < 0)
		xp_die(1, "remount /proc: %m");
	/* /sys only when it was a mount point: EINVAL says it was not. */
	if (umount2("/sys", MNT_DETACH) == 0 && mount("sysfs", "/sys", "sysfs", 0, NULL) < 0)
		xp_die(1, "remount /sys: %m");
	LOG(DEBUG, "Remounted /proc and /sys in a private mount namespace");
}

static void drop_caps(struct rd *r)
{
	uint64_t n = xp_u64(r);

	for (uint64_t i = 0; i < n; i++) {
		int cap = (int)xp_u64(r);
		const char *name = xp_str(r);

		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0)
			xp_die(1, "dropping capability %s from the bounding set: %m", name);
		LOG(DEBUG, "Dropped %s (%d) capability", name, cap);
	}
	LOG(DEBUG, "Capabilities have been setup");
}

static void load_seccomp(struct rd *r)
{
	int nesting = (int)xp_u64(r);
	const char *source = xp_str(r);
	uint32_t len;
	const void *insns = xp_bytes(r, &len);
	struct sock_fprog prog;
	struct sock_filter *f;

	if (len == 0 || len % sizeof(struct sock_filter) || len / sizeof(struct sock_filter) > 0xffff)
		xp_malformed("seccomp program");
	if (!nesting && prctl(PR_GET_SECCOMP, 0, 0, 0, 0) > 0) {
		LOG(INFO, "already under seccomp, not loading %s (set lxc.seccomp.allow_nesting = 1 to stack it)", source);
		return;
	}
	f = malloc(len); /* the payload is not aligned for the kernel's reads */
	if (!f)
		xp_die(1, "exec plan: out of memory");
	memcpy(f, insns, len);
	prog.len = (unsigned short)(len / sizeof(struct sock_filter));
	prog.filter = f;
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0) {
		if (errno == EACCES)
			xp_die(1, "loading seccomp policy %s: %m (needs lxc.no_new_privs = 1 or CAP_SYS_ADMIN)", source);
		xp_die(1, "loading seccomp policy %s: %m", source);
	}
	free(f);
	LOG(INFO, "Loaded seccomp policy %s: %u BPF instructions", source, prog.len);
}

static void set_ids(struct rd *r)
{
	uid_t uid = (uid_t)xp_u64(r);
	gid_t gid = (gid_t)xp_u64(r);
	uint64_t n = xp_u64(r);
	char list[512];
	size_t len = 0;
	gid_t *groups;
	int strict;

	if (n > 65536)
		xp_malformed("group list");
	groups = calloc(n + 1, sizeof(*groups));
	if (!groups)
		xp_die(1, "exec plan: out of memory");
	list[0] = '\0';
	for (uint64_t i = 0; i < n; i++) {
		groups[i] = (gid_t)xp_u64(r);
		if (len < sizeof(list))
			len += snprintf(list + len, sizeof(list) - len, "%s%u", i ? " " : "", groups[i]);
	}
	strict = (int)xp_u64(r);
	/* EPERM: setgroups is "deny" in this user namespace; keep the list,
	 * unless groups were asked for (strict). */
	if (setgroups(n, groups) < 0 && (errno != EPERM || strict))
		xp_die(1, "setgroups([%s]): %m", list);
	if (setresgid(gid, gid, gid) < 0)
		xp_die(1, "setresgid(%u): %m", gid);
	if (setresuid(uid, uid, uid) < 0)
		xp_die(1, "setresuid(%u): %m", uid);
	free(groups);
	LOG(NOTICE, "Switched to uid %u, gid %u, groups [%s]", uid, gid, list);
}

/* Fallback for kernels without close_range(CLOSE_RANGE_CLOEXEC). */
void xp_cloexec_from(int low)
{
	DIR *d;
	struct dirent *e;

	if (syscall(SYS_close_range, low, ~0U, CLOSE_RANGE_CLOEXEC) == 0)
		return;
	d = opendir("/proc/self/fd");
	if (!d)
		xp_die(1, "list open fds: %m");
	while ((e = readdir(d))) {
		int fd = atoi(e->d_name);

		if (fd >= low && fd != dirfd(d))
			fcntl(fd, F_SETFD, FD_CLOEXEC);
	}
	closedir(d);
}

/* shell is uid's login shell in the container's /etc/passwd, or /bin/sh. */
static char *shell(uid_t uid)
{
	char line[4096];
	FILE *f = fopen("/etc/passwd", "re");
	char *res = NULL;

	if (!f)
		return "/bin/sh";
	while (!res && fgets(line, sizeof(line), f)) {
		char *field[7], *s = line;
		int n = 0;

		line[strcspn(line, "\n")] = '\0';
		while (n < 7 && s) {
			field[n++] = s;
			s = strchr(s, ':');
			if (s)
				*s++ = '\0';
		}
		if (n < 7 || !*field[6] || !*field[2])
			continue;
		errno = 0;
		char *end;
		unsigned long v = strtoul(field[2], &end, 10);
		if (!errno && !*end && field[2][0] != '-' && v == uid)
			res = strdup(field[6]);
	}
	fclose(f);
	return res ? res : "/bin/sh";
}

/* xp_lookpath resolves name like execvp: a name with a slash as it is,
 * others in path; EACCES wins over ENOENT. Returns NULL with errno. */
char *xp_lookpath(const char *name, const char *path)
{
	int err = ENOENT;
	const char *dir = path;

	if (strchr(name, '/'))
		return (char *)name;
	for (;;) {
		const char *colon = strchr(dir, ':');
		size_t dlen = colon ? (size_t)(colon - dir) : strlen(dir);
		char *p;
		struct stat st;

		if (asprintf(&p, "%.*s/%s", (int)(dlen ? dlen : 1), dlen ? dir : ".", name) < 0)
			xp_die(1, "exec plan: out of memory");
		if (stat(p, &st) == 0 && !S_ISDIR(st.st_mode)) {
			if (access(p, X_OK) == 0)
				return p;
			err = EACCES;
		}
		free(p);
		if (!colon)
			break;
		dir = colon + 1;
	}
	errno = err;
	return NULL;
}

static void __attribute__((noreturn)) exec_cmd(struct rd *r)
{
	char **argv = xp_strv(r), **env = xp_strv(r);
	uid_t uid = (uid_t)xp_u64(r);
	const char *defpath = xp_str(r), *path = defpath;
	char *shellv[2], *file, cmdline[1024];
	size_t len = 0;
	int err;

	if (!argv[0]) {
		shellv[0] = shell(uid);
		shellv[1] = NULL;
		argv = shellv;
	}
	for (char **e = env; *e; e++)
		if (!strncmp(*e, "PATH=", 5) && (*e)[5])
			path = *e + 5;
	cmdline[0] = '\0';
	for (char **a = argv; *a && len < sizeof(cmdline); a++)
		len += snprintf(cmdline + len, sizeof(cmdline) - len, "%s%s", a == argv ? "" : " ", *a);
	file = xp_lookpath(argv[0], path);
	err = errno;
	if (file)
		LOG(NOTICE, "Exec'ing \"%s\" (%s)", file, cmdline);
	report("{\"Exec\":true}"); /* from here on, the status is the command's */
	if (file) {
		execve(file, argv, env);
		err = errno;
	}
	xp_die(127, "%s - Failed to exec \"%s\"", golxc_strerror(err), argv[0]);
}

static unsigned char *recv_plan(int syncfd, size_t *len, int *fds, int *nfds)
{
	union {
		char buf[CMSG_SPACE(3 * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct msghdr msg = {0};
	struct iovec iov;
	struct cmsghdr *c;
	unsigned char *buf;
	ssize_t n;

	do
		n = recv(syncfd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		_exit(1); /* the parent gave up before sending the plan */
	if ((size_t)n > GOLXC_PLAN_MAX)
		xp_malformed("packet size");
	buf = malloc(n);
	if (!buf)
		xp_die(1, "exec plan: out of memory");
	iov.iov_base = buf;
	iov.iov_len = n;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.buf;
	msg.msg_controllen = sizeof(cm.buf);
	do
		n = recvmsg(syncfd, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		_exit(1);
	if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		xp_malformed("packet (truncated)");
	*nfds = 0;
	for (c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (int i = 0; i < k && *nfds < 3; i++)
			memcpy(&fds[(*nfds)++], CMSG_DATA(c) + i * sizeof(int), sizeof(int));
	}
	*len = (size_t)n;
	return buf;
}

void golxc_execplan(int syncfd)
{
	int fds[3], nfds;
	size_t len;
	unsigned char *buf = recv_plan(syncfd, &len, fds, &nfds);
	struct rd r = {buf, buf + len};
	uint32_t nops;

	rep.fd = syncfd; /* close-on-exec: the exec closes it */
	xp_syncfd = syncfd;
	if (xp_u32(&r) != GOLXC_PLAN_MAGIC || xp_u32(&r) != GOLXC_PLAN_VERSION)
		xp_malformed("header");
	nops = xp_u32(&r);
	for (uint32_t i = 0; i < nops; i++) {
		uint32_t code = xp_u32(&r);
		uint32_t plen = xp_u32(&r);
		struct rd op = {r.p, r.p + plen};

		if ((uint64_t)(r.end - r.p) < plen)
			xp_malformed("op length");
		r.p += plen;
		switch (code) {
		case GOLXC_OP_IDENT:
			id.prefix = xp_str(&op);
			id.name = xp_str(&op);
			id.quiet = (int)xp_u64(&op);
			id.logfd = (int)(int64_t)xp_u64(&op);
			id.level = (int)xp_u64(&op);
			LOG(TRACE, "Process %d runs its exec plan", (int)getpid());
			break;
		case GOLXC_OP_STDIO:
			install_stdio(fds, nfds);
			break;
		case GOLXC_OP_REMOUNT:
			remount_proc_sys();
			break;
		case GOLXC_OP_PERSONALITY: {
			unsigned long p = (unsigned long)xp_u64(&op);
			if (personality(p) < 0)
				xp_die(1, "set personality %#lx: %m", p);
			break;
		}
		case GOLXC_OP_CHDIR: {
			const char *dir = xp_str(&op);
			if (chdir(dir) < 0) {
				LOG(DEBUG, "Could not enter \"%s\", staying in /", dir);
				if (chdir("/") < 0) {
					/* setns left us at the root anyway */
				}
			}
			break;
		}
		case GOLXC_OP_SETCTTY: {
			int fd = (int)xp_u64(&op);
			if (ioctl(fd, TIOCSCTTY, 0) < 0)
				xp_die(1, "make the pty the controlling terminal: %m");
			break;
		}
		case GOLXC_OP_DROPCAPS:
			drop_caps(&op);
			break;
		case GOLXC_OP_SECCOMP:
			load_seccomp(&op);
			break;
		case GOLXC_OP_SETIDS:
			set_ids(&op);
			break;
		case GOLXC_OP_NODUMP:
			if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
				xp_die(1, "prctl(PR_SET_DUMPABLE, 0): %m");
			break;
		case GOLXC_OP_NONEWPRIVS:
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
				xp_die(1, "prctl(PR_SET_NO_NEW_PRIVS): %m");
			break;
		case GOLXC_OP_CLOEXEC:
			xp_cloexec_from((int)xp_u64(&op));
			break;
		case GOLXC_OP_EXEC:
			exec_cmd(&op);
		default:
			if (!xp_init_op(code, &op))
				xp_malformed("op code");
		}
		if (op.p != op.end)
			xp_malformed("op payload");
	}
	xp_malformed("plan without exec");
}
