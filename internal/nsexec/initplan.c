/*
 * The container init stage's ops of the exec-plan executor (execplan.h,
 * GOLXC_OP_MOUNT_HOST and after): the rootfs assembly, the tty handover,
 * the wait for the monitor, the final settings and init's exec, or
 * lxc-execute's small PID 1. Go (internal/rootfs, internal/initsetup,
 * internal/monitor) decides every mount, path, flag and message prefix;
 * this file performs them in order, logs each step and dies with one line
 * naming the step and the errno (reported to the monitor as {"Err":MSG}).
 *
 * Paths inside the container are resolved from the root fd (OPENROOT)
 * without ever leaving it: openat2(RESOLVE_BENEATH|RESOLVE_NO_MAGICLINKS),
 * and, to create missing components or to say which symlink escapes, a
 * walk one component at a time with O_PATH|O_NOFOLLOW (in_root). Mounts
 * then target /proc/self/fd/N of the resolved fd, so a symlink swapped in
 * later cannot redirect them. Same rules as internal/rootfs/safepath.go.
 */
#define _GNU_SOURCE
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "errtext.h"
#include "execplan.h"
#include "planrt.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif
#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT 47
#define PR_CAP_AMBIENT_CLEAR_ALL 4
#endif

#define MAX_HOPS 40 /* the kernel's MAXSYMLINKS */
#define MAX_DEPTH 256
#define TTYS_PER_MSG 16

/* State kept between ops. */
static struct {
	int root;    /* OPENROOT's directory (O_PATH) */
	char *rootname;
	int *ttys;   /* tty masters for SENDTTYS */
	int nttys;
} st = {-1, "", NULL, 0};

/* xerr is strerror as Go words it (lower-case first letter), so the lines
 * read as the Go setup's did. */
static const char *xerr(int e)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s", golxc_strerror(e));
	buf[0] = (char)tolower((unsigned char)buf[0]);
	return buf;
}

static void fdpath(char *buf, size_t len, int fd)
{
	snprintf(buf, len, "/proc/self/fd/%d", fd);
}

/* Why a path could not be resolved: errnum (ENOENT: missing, 0: refused
 * symlink) and the message (as internal/rootfs's describe() gives it). */
struct why {
	int errnum;
	char msg[1024];
};

static int fail_path(struct why *w, int e, const char *path)
{
	w->errnum = e;
	snprintf(w->msg, sizeof(w->msg), "%s: %s", path, xerr(e));
	return -1;
}

static int fail_escape(struct why *w, const char *target, const char *comp)
{
	w->errnum = 0;
	if (!*comp)
		snprintf(w->msg, sizeof(w->msg), "target \"%s\" leads outside the rootfs", target);
	else if (!strcmp(comp, target))
		snprintf(w->msg, sizeof(w->msg), "target \"%s\" is a symlink leading outside the rootfs", target);
	else
		snprintf(w->msg, sizeof(w->msg), "target \"%s\": \"%s\" is a symlink leading outside the rootfs", target,
			 comp);
	return -1;
}

/* escapes reports whether link, read at depth, climbs above the root
 * lexically (only to name the culprit: the walk would refuse it anyway). */
static int escapes(int depth, const char *link)
{
	const char *p = link;

	while (*p) {
		size_t n;

		while (*p == '/')
			p++;
		n = strcspn(p, "/");
		if (n == 2 && !strncmp(p, "..", 2)) {
			if (--depth < 0)
				return 1;
		} else if (n && !(n == 1 && *p == '.')) {
			depth++;
		}
		p += n;
	}
	return 0;
}

static int create_at(int dir, const char *name, int file)
{
	if (file) {
		int fd = openat(dir, name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0644);

		if (fd < 0)
			return errno == EEXIST ? 0 : -1;
		close(fd);
		return 0;
	}
	if (mkdirat(dir, name, 0755) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

/* walk resolves rel one component at a time (see the file comment). */
static int walk(const char *rel, int create, int nosym, struct why *w)
{
	int stack[MAX_DEPTH];
	size_t lens[MAX_DEPTH];
	char here[4096] = "";
	char *todo, *p;
	int sp = 0, hops = 0, res = -1;

	stack[0] = fcntl(st.root, F_DUPFD_CLOEXEC, 0);
	if (stack[0] < 0)
		return fail_path(w, errno, rel);
	lens[0] = 0;
	todo = strdup(rel);
	if (!todo)
		xp_die(1, "exec plan: out of memory");
	p = todo;
	for (;;) {
		char name[256];
		size_t n, hl;
		int fd, last;
		struct stat sb;

		while (*p == '/')
			p++;
		if (!*p) {
			res = fcntl(stack[sp], F_DUPFD_CLOEXEC, 0);
			if (res < 0)
				fail_path(w, errno, rel);
			break;
		}
		n = strcspn(p, "/");
		if (n >= sizeof(name)) {
			fail_path(w, ENAMETOOLONG, rel);
			break;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		while (*p == '/')
			p++;
		last = !*p;
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			if (sp == 0) {
				fail_escape(w, rel, "");
				break;
			}
			close(stack[sp--]);
			here[lens[sp]] = '\0';
			continue;
		}
		hl = lens[sp];
		snprintf(here + hl, sizeof(here) - hl, "%s%s", hl ? "/" : "", name);
		fd = openat(stack[sp], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && create) {
			if (create_at(stack[sp], name, last && create == 2) < 0) {
				fail_path(w, errno, here);
				break;
			}
			fd = openat(stack[sp], name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		}
		if (fd < 0 || fstat(fd, &sb) < 0) {
			fail_path(w, errno, here);
			if (fd >= 0)
				close(fd);
			break;
		}
		if (S_ISLNK(sb.st_mode)) {
			char link[4096], *rest;
			ssize_t ln = readlinkat(fd, "", link, sizeof(link) - 1);

			close(fd);
			if (ln < 0) {
				fail_path(w, errno, here);
				break;
			}
			link[ln] = '\0';
			if (nosym) {
				w->errnum = 0;
				snprintf(w->msg, sizeof(w->msg), "target \"%s\": \"%s\" is a symlink, refusing to mount there",
					 rel, here);
				break;
			}
			if (++hops > MAX_HOPS) {
				fail_path(w, ELOOP, rel);
				break;
			}
			if (link[0] == '/' || escapes(sp, link)) {
				fail_escape(w, rel, here);
				break;
			}
			here[lens[sp]] = '\0';
			if (asprintf(&rest, "%s/%s", link, p) < 0)
				xp_die(1, "exec plan: out of memory");
			free(todo);
			todo = p = rest;
			continue;
		}
		if (S_ISDIR(sb.st_mode) && !last) {
			if (sp + 1 >= MAX_DEPTH) {
				close(fd);
				fail_path(w, ENAMETOOLONG, rel);
				break;
			}
			stack[++sp] = fd;
			lens[sp] = strlen(here);
			continue;
		}
		if (last) {
			res = fd;
			break;
		}
		close(fd);
		fail_path(w, ENOTDIR, here);
		break;
	}
	for (int i = 0; i <= sp; i++)
		close(stack[i]);
	free(todo);
	return res;
}

/*
 * in_root returns an O_PATH fd for rel (inside the root), creating what is
 * missing as asked; nosym refuses every symlink (proc, sys targets). -1
 * with w filled on failure.
 */
static int in_root(const char *rel, int create, int nosym, struct why *w)
{
	while (*rel == '/')
		rel++;
	if (!create) {
		struct open_how how = {
			.flags = O_PATH | O_CLOEXEC,
			.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | (nosym ? RESOLVE_NO_SYMLINKS : 0),
		};
		int fd;

		do
			fd = (int)syscall(SYS_openat2, st.root, *rel ? rel : ".", &how, sizeof(how));
		while (fd < 0 && (errno == EINTR || errno == EAGAIN));
		if (fd >= 0)
			return fd;
		/* these the walk explains better (or does at all) */
		if (errno != ENOSYS && errno != EXDEV && errno != ELOOP && errno != E2BIG && errno != EPERM)
			return fail_path(w, errno, rel);
	}
	return walk(rel, create, nosym, w);
}

static void need_root(void)
{
	if (st.root < 0)
		xp_malformed("plan (path in the root before OPENROOT)");
}

static void mount_host(struct rd *r)
{
	const char *err = xp_str(r), *msg = xp_str(r), *src = xp_str(r), *dst = xp_str(r), *type = xp_str(r);
	unsigned long flags = (unsigned long)xp_u64(r);
	const char *data = xp_str(r);

	if (mount(src, dst, type, flags, data) < 0)
		xp_die(1, "%s: %s", err, xerr(errno));
	if (*msg)
		LOG(DEBUG, "%s", msg);
	else
		LOG(DEBUG, "Mounted \"%s\" on \"%s\" type \"%s\" flags %#lx data \"%s\"", src, dst, type, flags, data);
}

static void open_root(struct rd *r)
{
	const char *path = xp_str(r), *err = xp_str(r);

	if (st.root >= 0)
		close(st.root);
	st.root = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (st.root < 0)
		xp_die(1, "%s: %s", err, xerr(errno));
	st.rootname = strdup(path);
	LOG(TRACE, "Assembling the container's filesystem in \"%s\"", path);
}

static void mount_in(struct rd *r)
{
	const char *srcerr = xp_str(r);
	int srcmode = (int)xp_u64(r);
	const char *src = xp_str(r), *dsterr = xp_str(r), *dst = xp_str(r);
	int create = (int)xp_u64(r), nosym = (int)xp_u64(r);
	const char *type = xp_str(r);
	unsigned long flags = (unsigned long)xp_u64(r);
	const char *data = xp_str(r), *mounterr = xp_str(r);
	int skip = (int)xp_u64(r), sfd = -1, dfd;
	const char *msg = xp_str(r);
	char spath[64], dpath[64];
	struct why w;

	need_root();
	if (srcmode) {
		sfd = in_root(src, 0, srcmode == 2, &w);
		if (sfd < 0 && skip && w.errnum == ENOENT) {
			LOG(DEBUG, "lxc.mount.auto: \"%s\" does not exist, skipping", src);
			return;
		}
		if (sfd < 0)
			xp_die(1, "%s: %s", srcerr, w.msg);
		fdpath(spath, sizeof(spath), sfd);
	}
	dfd = in_root(dst, create, nosym, &w);
	if (dfd < 0 && skip && w.errnum == ENOENT) {
		LOG(DEBUG, "lxc.mount.auto: \"%s\" does not exist, skipping", dst);
		if (sfd >= 0)
			close(sfd);
		return;
	}
	if (dfd < 0)
		xp_die(1, "%s: %s", dsterr, w.msg);
	fdpath(dpath, sizeof(dpath), dfd);
	if (mount(srcmode ? spath : src, dpath, type, flags, data) < 0)
		xp_die(1, "%s: %s", mounterr, xerr(errno));
	if (*msg)
		LOG(DEBUG, "%s", msg);
	else
		LOG(DEBUG, "Mounted \"%s\" on \"/%s\" type \"%s\" flags %#lx data \"%s\"", src, dst, type, flags, data);
	close(dfd);
	if (sfd >= 0)
		close(sfd);
}

static void umount_in(struct rd *r)
{
	const char *path = xp_str(r);
	int nosym = (int)xp_u64(r);
	const char *err = xp_str(r);
	char p[64];
	struct why w;
	int fd;

	need_root();
	fd = in_root(path, 0, nosym, &w);
	if (fd < 0) {
		if (*err)
			xp_die(1, "%s: %s", err, w.msg);
		return;
	}
	fdpath(p, sizeof(p), fd);
	if (umount2(p, MNT_DETACH) < 0) {
		if (*err)
			xp_die(1, "%s: %s", err, xerr(errno));
	} else {
		LOG(TRACE, "Unmounted \"/%s\"", path);
	}
	close(fd);
}

static void mkdir_in(struct rd *r)
{
	const char *path = xp_str(r);
	int nosym = (int)xp_u64(r);
	const char *err = xp_str(r);
	struct why w;
	int fd;

	need_root();
	fd = in_root(path, 1, nosym, &w);
	if (fd < 0)
		xp_die(1, "%s: %s", err, w.msg);
	close(fd);
}

/* mount_flags_of reads the locked flags of the mount holding path. */
static unsigned long mount_flags_of(const char *path)
{
	struct statvfs sv;
	unsigned long f = 0;

	if (statvfs(path, &sv) < 0)
		return 0;
	if (sv.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	return f;
}

struct entry {
	const char *label, *source, *target, *rel, *fstype, *data;
	int relative, checksrc, create, optional, nosym, remount;
	unsigned long flags, clear, prop;
};

/* entry_fail dies with the entry's line, or logs and returns for an
 * optional entry. */
static void __attribute__((format(printf, 2, 3))) entry_fail(const struct entry *e, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (e->optional) {
		LOG(DEBUG, "skipping optional entry: %s (%s -> %s): %s", e->label, e->source, e->target, msg);
		return;
	}
	xp_die(1, "%s (%s -> %s): %s", e->label, e->source, e->target, msg);
}

/* no_source: LXC creates an optional entry's target before it finds the
 * source missing. */
static void no_source(const struct entry *e)
{
	struct why w;

	if (e->optional && e->create) {
		int fd = in_root(e->rel, e->create, 0, &w);

		if (fd >= 0) {
			LOG(DEBUG, "created %s for optional entry %s without a source", e->rel, e->label);
			close(fd);
		}
	}
	entry_fail(e, "source does not exist; add 'optional' to skip it");
}

static void mount_entry(struct rd *r)
{
	struct entry e;
	char spath[64], tpath[64];
	const char *src;
	int sfd = -1, tfd = -1, top = -1;
	struct why w;
	struct stat sb;

	e.label = xp_str(r);
	e.source = xp_str(r);
	e.target = xp_str(r);
	e.rel = xp_str(r);
	e.relative = (int)xp_u64(r);
	e.checksrc = (int)xp_u64(r);
	e.fstype = xp_str(r);
	e.flags = (unsigned long)xp_u64(r);
	e.data = xp_str(r);
	e.create = (int)xp_u64(r);
	e.optional = (int)xp_u64(r);
	e.nosym = (int)xp_u64(r);
	e.remount = (int)xp_u64(r);
	e.clear = (unsigned long)xp_u64(r);
	e.prop = (unsigned long)xp_u64(r);
	need_root();

	src = e.source;
	if (e.relative) {
		sfd = in_root(e.source, 0, 0, &w);
		if (sfd < 0) {
			if (w.errnum == ENOENT)
				no_source(&e);
			else
				entry_fail(&e, "source: %s", w.msg);
			return;
		}
		fdpath(spath, sizeof(spath), sfd);
		src = spath;
	} else if (e.checksrc && stat(src, &sb) < 0) {
		if (errno == ENOENT)
			no_source(&e);
		else
			entry_fail(&e, "source: %s: %s", src, xerr(errno));
		return;
	}
	tfd = in_root(e.rel, e.create, e.nosym, &w);
	if (tfd < 0) {
		if (w.errnum == ENOENT)
			entry_fail(&e, "target \"%s\" does not exist; add 'create=dir' or 'create=file'", e.rel);
		else
			entry_fail(&e, "%s", w.msg);
		goto out;
	}
	fdpath(tpath, sizeof(tpath), tfd);
	if (!(e.flags & MS_REMOUNT) && mount(src, tpath, e.fstype, e.flags, e.data) < 0) {
		entry_fail(&e, "mount failed: %s", xerr(errno));
		goto out;
	}
	LOG(DEBUG, "Mounted \"%s\" on \"/%s\" with filesystem type \"%s\", flags %#lx, data \"%s\" (%s)", e.source,
	    e.rel, e.fstype, e.flags, e.data, e.label);
	if (!e.remount && !e.prop)
		goto out;
	/* Reopen: tfd still points below the mount just made. */
	top = in_root(e.rel, 0, e.nosym, &w);
	if (top < 0) {
		entry_fail(&e, "reopening target: %s", w.msg);
		goto out;
	}
	fdpath(tpath, sizeof(tpath), top);
	if (e.remount) {
		unsigned long f = (e.flags & ~MS_REC) | MS_REMOUNT;
		const char *data = e.data;

		if (e.flags & MS_BIND) {
			/* keep what the source mount locks unless asked otherwise */
			f |= mount_flags_of(src) & ~e.clear;
			data = "";
		}
		if (mount("", tpath, e.fstype, f, data) < 0) {
			entry_fail(&e, "remount failed: %s", xerr(errno));
			goto out;
		}
		LOG(DEBUG, "Remounted \"/%s\" with flags %#lx to respect bind or remount options", e.rel, f);
	}
	if (e.prop && mount("", tpath, "", e.prop, "") < 0)
		entry_fail(&e, "setting propagation failed: %s", xerr(errno));
out:
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	if (top >= 0)
		close(top);
}

/* bind_onto bind-mounts src (a host or /proc/self/fd path) onto rel,
 * created as a file if missing; key prefixes the errors. */
static void bind_onto(const char *src, const char *rel, const char *key)
{
	struct why w;
	char p[64];
	int fd = in_root(rel, 2, 1, &w);

	if (fd < 0)
		xp_die(1, "%s: /%s: %s", key, rel, w.msg);
	fdpath(p, sizeof(p), fd);
	if (mount(src, p, "", MS_BIND, "") < 0)
		xp_die(1, "%s: bind-mounting %s on /%s: %s", key, src, rel, xerr(errno));
	LOG(DEBUG, "Bind mounted \"%s\" onto \"/%s\" (%s)", src, rel, key);
	close(fd);
}

static void autodev(struct rd *r)
{
	uint64_t n = xp_u64(r);
	struct why w;
	int dev, bind = 0, checked = 0;
	mode_t old;

	need_root();
	dev = in_root("dev", 0, 1, &w);
	if (dev < 0)
		xp_die(1, "lxc.autodev: /dev: %s", w.msg);
	old = umask(0111); /* nodes end up 0666 like LXC's */
	for (uint64_t i = 0; i < n; i++) {
		const char *name = xp_str(r);
		unsigned maj = (unsigned)xp_u64(r), min = (unsigned)xp_u64(r);
		char rel[300];

		if (!bind) {
			if (mknodat(dev, name, S_IFCHR | 0777, makedev(maj, min)) == 0 || errno == EEXIST) {
				LOG(DEBUG, "Created device node \"%s\"", name);
				if (checked)
					continue;
				checked = 1;
				int fd = openat(dev, name, O_RDONLY | O_NOCTTY | O_NOFOLLOW | O_CLOEXEC);
				if (fd >= 0) {
					close(fd);
					continue;
				}
				bind = 1; /* nodes exist but cannot be opened (nodev) */
			} else if (errno == EPERM) {
				bind = 1;
			} else {
				xp_die(1, "lxc.autodev: creating /dev/%s: %s", name, xerr(errno));
			}
		}
		snprintf(rel, sizeof(rel), "dev/%s", name);
		int fd = in_root(rel, 2, 1, &w);
		char host[300], p[64];
		if (fd < 0)
			xp_die(1, "lxc.autodev: /%s: %s", rel, w.msg);
		snprintf(host, sizeof(host), "/dev/%s", name);
		fdpath(p, sizeof(p), fd);
		if (mount(host, p, "", MS_BIND, "") < 0)
			xp_die(1, "lxc.autodev: bind-mounting host /dev/%s: %s", name, xerr(errno));
		LOG(DEBUG, "Bind mounted host device node \"%s\"", host);
		close(fd);
	}
	umask(old);
	close(dev);
}

static void chmod_host(struct rd *r)
{
	const char *path = xp_str(r);
	mode_t mode = (mode_t)xp_u64(r);
	const char *err = xp_str(r);

	if (chmod(path, mode) < 0)
		xp_die(1, "%s: %s: %s", err, path, xerr(errno));
}

/* open_pty allocates a pty on the devpts directory dir: the master (kept
 * for the monitor) and its peer, after checking that ptmx is the
 * multiplexer (5:2 on devpts or devtmpfs), not something bound there. */
static int open_pty(int dir, int *peer, int *index)
{
	struct stat sb;
	struct statfs sf;
	int unlock = 0;
	unsigned n;
	int fd = openat(dir, "ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &sb) < 0 || fstatfs(fd, &sf) < 0)
		goto fail;
	if (!S_ISCHR(sb.st_mode) || sb.st_rdev != makedev(5, 2) ||
	    (sf.f_type != DEVPTS_SUPER_MAGIC && sf.f_type != TMPFS_MAGIC)) {
		errno = EPERM;
		goto fail;
	}
	if (ioctl(fd, TIOCSPTLCK, &unlock) < 0 || ioctl(fd, TIOCGPTN, &n) < 0)
		goto fail;
	*peer = ioctl(fd, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (*peer < 0)
		goto fail;
	*index = (int)n;
	return fd;
fail:
	unlock = errno; /* the caller reports it */
	close(fd);
	errno = unlock;
	return -1;
}

static void setup_ptmx(void)
{
	struct why w;
	int dev = in_root("dev", 0, 1, &w), src, dst;

	if (dev < 0)
		xp_die(1, "devpts: /dev: %s", w.msg);
	if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
		xp_die(1, "devpts: removing /dev/ptmx: %s", xerr(errno));
	if (mknodat(dev, "ptmx", S_IFREG, 0) < 0 && errno != EEXIST)
		xp_die(1, "devpts: creating /dev/ptmx: %s", xerr(errno));
	src = in_root("dev/pts/ptmx", 0, 1, &w);
	dst = src >= 0 ? in_root("dev/ptmx", 0, 1, &w) : -1;
	if (dst >= 0) {
		char s[64], d[64];

		fdpath(s, sizeof(s), src);
		fdpath(d, sizeof(d), dst);
		if (mount(s, d, "", MS_BIND, "") == 0) {
			LOG(DEBUG, "Mounted \"/dev/pts/ptmx\" onto \"/dev/ptmx\"");
			close(src);
			close(dst);
			close(dev);
			return;
		}
	}
	if (src >= 0)
		close(src);
	if (dst >= 0)
		close(dst);
	if (unlinkat(dev, "ptmx", 0) < 0 && errno != ENOENT)
		xp_die(1, "devpts: removing /dev/ptmx: %s", xerr(errno));
	if (symlinkat("pts/ptmx", dev, "ptmx") < 0)
		xp_die(1, "devpts: linking /dev/ptmx to pts/ptmx: %s", xerr(errno));
	LOG(DEBUG, "Created symlink from \"/dev/ptmx\" to \"pts/ptmx\"");
	close(dev);
}

/* devpts: a new devpts instance on /dev/pts, the lxc.tty.max ttys
 * allocated on it and bound at /dev/ttyN (or /dev/DIR/ttyN plus a link),
 * then /dev/ptmx; see internal/rootfs/devpts.go. */
static void devpts(struct rd *r)
{
	int max = (int)xp_u64(r), nttys = (int)xp_u64(r);
	const char *dir = xp_str(r);
	int bind = (int)xp_u64(r), keep = (int)xp_u64(r);
	static const char base[] = "newinstance,ptmxmode=0666,mode=0620";
	char opts[4][128], p[64];
	struct why w;
	int fd, pts, ok = 0, err = 0;

	need_root();
	fd = in_root("dev/pts", 0, 1, &w);
	if (fd >= 0) {
		fdpath(p, sizeof(p), fd);
		umount2(p, MNT_DETACH); /* e.g. the host's, via an rbind rootfs */
		close(fd);
	}
	fd = in_root("dev/pts", 1, 1, &w);
	if (fd < 0)
		xp_die(1, "devpts: /dev/pts: %s", w.msg);
	snprintf(opts[0], sizeof(opts[0]), "gid=5,%s,max=%d", base, max);
	snprintf(opts[1], sizeof(opts[1]), "%s,max=%d", base, max);
	snprintf(opts[2], sizeof(opts[2]), "gid=5,%s", base);
	snprintf(opts[3], sizeof(opts[3]), "%s", base);
	fdpath(p, sizeof(p), fd);
	for (int i = 0; i < 4 && !ok; i++) {
		if (mount("devpts", p, "devpts", MS_NOSUID | MS_NOEXEC, opts[i]) == 0) {
			LOG(TRACE, "Mount options of the new devpts instance: %s", opts[i]);
			ok = 1;
		} else {
			err = errno;
		}
	}
	close(fd);
	if (!ok)
		xp_die(1, "devpts: mounting a new instance on /dev/pts: %s", xerr(err));
	LOG(DEBUG, "Mounted a new devpts instance on /dev/pts (max %d)", max);
	fd = in_root("dev/pts", 0, 1, &w);
	if (fd < 0)
		xp_die(1, "devpts: reopening /dev/pts: %s", w.msg);
	fdpath(p, sizeof(p), fd);
	pts = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	close(fd);
	if (pts < 0)
		xp_die(1, "devpts: opening /dev/pts: %s", xerr(errno));

	st.ttys = calloc(nttys + 1, sizeof(int));
	if (!st.ttys)
		xp_die(1, "exec plan: out of memory");
	for (int i = 1; i <= nttys; i++) {
		int peer, index, m = open_pty(pts, &peer, &index);
		char rel[300], src[64], name[32];

		if (m < 0)
			xp_die(1, "lxc.tty.max: allocating tty%d on the container's devpts: %s", i, xerr(errno));
		st.ttys[st.nttys++] = m;
		LOG(DEBUG, "Created tty %d as pts/%d on the container's devpts", i, index);
		snprintf(name, sizeof(name), "tty%d", i);
		fdpath(src, sizeof(src), peer);
		if (bind && !*dir) {
			snprintf(rel, sizeof(rel), "dev/%s", name);
			bind_onto(src, rel, "lxc.tty.max");
		} else if (bind) {
			char link[300];
			int dev;

			snprintf(rel, sizeof(rel), "dev/%s/%s", dir, name);
			bind_onto(src, rel, "lxc.tty.max");
			dev = in_root("dev", 0, 1, &w);
			if (dev < 0)
				xp_die(1, "lxc.tty.dir: /dev: %s", w.msg);
			unlinkat(dev, name, 0);
			snprintf(link, sizeof(link), "%s/%s", dir, name);
			if (symlinkat(link, dev, name) < 0)
				xp_die(1, "lxc.tty.dir: linking /dev/%s: %s", name, xerr(errno));
			LOG(TRACE, "Created symlink from \"/dev/%s\" to \"%s\"", name, link);
			close(dev);
		}
		close(peer);
	}
	if (st.nttys > 0) {
		LOG(INFO, "Finished creating %d tty devices", st.nttys);
		if (bind)
			LOG(INFO, "Finished setting up %d /dev/tty<N> device(s)", st.nttys);
	}
	if (!keep) {
		/* only the ttys wanted it: hide the mount */
		fdpath(p, sizeof(p), pts);
		if (umount2(p, MNT_DETACH) < 0)
			xp_die(1, "devpts: detaching /dev/pts: %s", xerr(errno));
	} else {
		setup_ptmx();
	}
	close(pts);
}

static void devlinks(void)
{
	static const char *const links[][2] = {
		{"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"},
		{"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"},
	};
	struct why w;
	int dev;

	need_root();
	dev = in_root("dev", 0, 1, &w);
	if (dev < 0 && w.errnum == ENOENT)
		return;
	if (dev < 0)
		xp_die(1, "/dev symlinks: %s", w.msg);
	for (unsigned i = 0; i < sizeof(links) / sizeof(links[0]); i++) {
		struct stat sb;

		if (fstatat(dev, links[i][1], &sb, AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if (symlinkat(links[i][0], dev, links[i][1]) < 0 && errno != EEXIST && errno != EROFS)
			xp_die(1, "/dev symlinks: creating /dev/%s: %s", links[i][1], xerr(errno));
	}
	close(dev);
}

/* pivot makes the root "/" and detaches the host's (internal/rootfs/pivot.go). */
static void pivot(struct rd *r)
{
	const char *name = xp_str(r);
	int old;

	need_root();
	old = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (old < 0)
		xp_die(1, "pivot_root: opening the old root: %s", xerr(errno));
	if (fchdir(st.root) < 0)
		xp_die(1, "pivot_root: entering \"%s\": %s", name, xerr(errno));
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		xp_die(1, "pivot_root into \"%s\": %s", name, xerr(errno));
	LOG(TRACE, "Changed into new rootfs \"%s\"", st.rootname);
	if (fchdir(old) < 0)
		xp_die(1, "pivot_root: entering the old root: %s", xerr(errno));
	if (mount("", ".", "", MS_SLAVE | MS_REC, "") < 0)
		xp_die(1, "pivot_root: making the old root a slave: %s", xerr(errno));
	if (umount2(".", MNT_DETACH) < 0)
		xp_die(1, "pivot_root: detaching the old root: %s", xerr(errno));
	LOG(DEBUG, "Detached the host's root after pivot_root");
	close(old);
	if (chdir("/") < 0)
		xp_die(1, "pivot_root: entering the new root: %s", xerr(errno));
	if (mount("", "/", "", MS_SHARED | MS_REC, "") < 0)
		xp_die(1, "pivot_root: making / shared: %s", xerr(errno));
	close(st.root);
	st.root = -1;
}

static void send_packet(const char *json, const int *fds, int nfds)
{
	union {
		char buf[CMSG_SPACE(TTYS_PER_MSG * sizeof(int))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = {(void *)json, strlen(json)};
	struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if (nfds > 0) {
		struct cmsghdr *c;

		msg.msg_control = cm.buf;
		msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	}
	do
		n = sendmsg(xp_syncfd, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		_exit(1); /* the monitor is gone: nobody to tell */
}

static void send_ttys(void)
{
	for (int i = 0; i < st.nttys; i += TTYS_PER_MSG) {
		int n = st.nttys - i < TTYS_PER_MSG ? st.nttys - i : TTYS_PER_MSG;
		char json[32];

		snprintf(json, sizeof(json), "{\"TTYs\":%d}", n);
		send_packet(json, st.ttys + i, n);
		LOG(TRACE, "Sent %d tty master(s) to the monitor", n);
	}
	for (int i = 0; i < st.nttys; i++)
		close(st.ttys[i]);
	st.nttys = 0;
}

/* ready tells the monitor the rootfs is done and waits for its go. */
static void ready(void)
{
	char buf[256];
	ssize_t n;

	send_packet("{\"Ready\":true}", NULL, 0);
	do
		n = recv(xp_syncfd, buf, sizeof(buf) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n <= 0)
		_exit(1);
	buf[n] = '\0';
	if (!strstr(buf, "\"Go\":true"))
		_exit(1);
	LOG(TRACE, "The monitor released init: applying the final settings");
}

static void sysctls(struct rd *r)
{
	uint64_t n = xp_u64(r);
	struct statfs sf;

	if (n && (statfs("/proc", &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC))
		xp_die(1, "lxc.sysctl: /proc in the container is not procfs; add lxc.mount.auto = proc:mixed");
	for (uint64_t i = 0; i < n; i++) {
		const char *key = xp_str(r), *path = xp_str(r), *val = xp_str(r);
		size_t len = strlen(val);
		int fd;

		LOG(DEBUG, "Setting sysctl %s to \"%s\"", path, val);
		fd = open(path, O_WRONLY | O_NOFOLLOW | O_CLOEXEC | O_TRUNC);
		if (fd < 0 && errno == EROFS)
			xp_die(1, "lxc.sysctl.%s: %s is read-only in the container (lxc.mount.auto proc:mixed leaves only net.* writable); use proc:rw to set it",
			       key, path);
		if (fd < 0)
			xp_die(1, "lxc.sysctl.%s: opening %s: %s", key, path, xerr(errno));
		if (fstatfs(fd, &sf) < 0 || sf.f_type != PROC_SUPER_MAGIC)
			xp_die(1, "lxc.sysctl.%s: %s is not on procfs", key, path);
		if (write(fd, val, len) != (ssize_t)len)
			xp_die(1, "lxc.sysctl.%s: writing \"%s\" to %s: %s", key, val, path, xerr(errno));
		close(fd);
	}
}

static void rlimits(struct rd *r)
{
	uint64_t n = xp_u64(r);

	for (uint64_t i = 0; i < n; i++) {
		const char *name = xp_str(r);
		int res = (int)xp_u64(r);
		struct rlimit rl;

		rl.rlim_cur = (rlim_t)xp_u64(r);
		rl.rlim_max = (rlim_t)xp_u64(r);
		if (setrlimit(res, &rl) < 0)
			xp_die(1, "lxc.prlimit.%s: setting %llu:%llu: %s", name, (unsigned long long)rl.rlim_cur,
			       (unsigned long long)rl.rlim_max, xerr(errno));
		LOG(DEBUG, "Set limit %s to %llu:%llu", name, (unsigned long long)rl.rlim_cur,
		    (unsigned long long)rl.rlim_max);
	}
}

static void cap_restrict(uint64_t kept)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data) < 0)
		xp_die(1, "capget: %s", xerr(errno));
	for (int i = 0; i < 2; i++) {
		uint32_t m = (uint32_t)(kept >> (32 * i));

		data[i].effective &= m;
		data[i].permitted &= m;
		data[i].inheritable &= m;
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		xp_die(1, "capset: %s", xerr(errno));
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		xp_die(1, "clearing ambient capabilities: %s", xerr(errno));
	LOG(TRACE, "Restricted effective, permitted and inheritable capabilities; cleared ambient ones");
}

static int status_of(int ws)
{
	if (WIFEXITED(ws))
		return WEXITSTATUS(ws);
	if (WIFSIGNALED(ws))
		return 128 + WTERMSIG(ws);
	return 255;
}

/*
 * supervise is lxc-execute's PID 1 (internal/execinit without Go): the
 * command runs as its child in a new session; every signal we get is
 * forwarded to it, SIGTERM and SIGPWR as LXC's init (everyone gets
 * SIGTERM, SIGKILL a second later); zombies are reaped; we exit with the
 * command's status (128+N for signal N, 255 when it could not run).
 */
/* sigSystemdHalt is the kernel's signal 37, glibc's SIGRTMIN+3: systemd
 * halts on it (musl numbers its SIGRTMIN differently, hence the literal). */
#define SIG_SYSTEMD_HALT 37

static void noop_handler(int sig) { (void)sig; }

/*
 * show_handlers makes PID 1's /proc/1/status say what lxc-stop asks
 * (lxc/stopsignal.go): handlers for signals 1-31 (they never run: the
 * signals stay blocked and sigwaitinfo takes them, but sigwaitinfo hides
 * the blocked set while it sleeps, and an init that shows neither a
 * handler nor a block is waited for 2 s before the halt is sent), and
 * SIGRTMIN+3 ignored and unblocked, so that a blocked one never makes
 * lxc-stop take us for systemd and send it instead of SIGPWR.
 */
static void show_handlers(sigset_t *waited)
{
	struct sigaction sa = {.sa_handler = noop_handler};
	sigset_t halt;
	int s;

	for (s = 1; s < 32; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &sa, NULL);
	signal(SIG_SYSTEMD_HALT, SIG_IGN);
	sigemptyset(&halt);
	sigaddset(&halt, SIG_SYSTEMD_HALT);
	sigprocmask(SIG_UNBLOCK, &halt, NULL);
	sigdelset(waited, SIG_SYSTEMD_HALT);
}

static void __attribute__((noreturn)) supervise(char **argv, char **env, const char *path)
{
	sigset_t all, old;
	pid_t pid;
	int shutdown = 0;

	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	pid = fork();
	if (pid < 0)
		xp_die(1, "execute init: fork: %s", xerr(errno));
	if (pid == 0) {
		char *file;

		sigprocmask(SIG_SETMASK, &old, NULL);
		setsid();
		if (isatty(0))
			ioctl(0, TIOCSCTTY, 0);
		file = xp_lookpath(argv[0], path);
		if (file) {
			LOG(NOTICE, "Exec'ing \"%s\"", file);
			execve(file, argv, env);
		}
		_exit(255);
	}
	show_handlers(&all);
	/* PID 1 holds nothing from the host: the sync socket's close also
	 * tells the monitor the command runs. */
	if (syscall(SYS_close_range, 3, ~0U, 0) < 0)
		for (int fd = 3; fd < 1024; fd++)
			close(fd);
	prctl(PR_SET_NAME, "init", 0, 0, 0);
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&all, &si);

		switch (sig) {
		case -1:
			break;
		case SIGCHLD:
			for (;;) {
				int ws;
				pid_t p = waitpid(-1, &ws, WNOHANG);

				if (p <= 0)
					break;
				if (p == pid)
					_exit(status_of(ws));
			}
			break;
		case SIGTERM:
		case SIGPWR:
			if (getpid() != 1) {
				kill(pid, sig); /* not a container's init: never signal the host */
			} else if (!shutdown) {
				shutdown = 1;
				kill(-1, SIGTERM);
				alarm(1);
			}
			break;
		case SIGALRM:
			kill(-1, SIGKILL);
			break;
		default:
			kill(pid, sig);
		}
	}
}

static void __attribute__((noreturn)) init_exec(struct rd *r)
{
	char **argv = xp_strv(r), **env = xp_strv(r), *file;
	const char *path = xp_str(r);
	int sup = (int)xp_u64(r);

	if (!argv[0])
		xp_malformed("init command");
	for (char **e = env; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	if (sup)
		supervise(argv, env, path);
	file = xp_lookpath(argv[0], path);
	if (!file)
		xp_die(1, "executing \"%s\": %s", argv[0], xerr(errno));
	LOG(NOTICE, "Exec'ing \"%s\"", file);
	execve(file, argv, env);
	xp_die(1, "executing \"%s\": %s", file, xerr(errno));
}

/* run_hook runs one lxc.hook.* command as internal/hooks does: its stdout
 * and stderr go to the log, a non-zero exit fails the plan with the last
 * line it printed. */
static void run_hook(struct rd *r)
{
	const char *type = xp_str(r), *value = xp_str(r), *prefix = xp_str(r);
	char **argv = xp_strv(r), **env = xp_strv(r);
	const char *dir = xp_str(r);
	static char out[65536];
	size_t len = 0;
	int pfd[2], ws;
	pid_t pid;

	if (!argv[0])
		xp_malformed("hook command");
	LOG(INFO, "Executing script \"%s\" for container \"%s\", config section \"%s\"", value, xp_name(), type);
	if (pipe2(pfd, O_CLOEXEC) < 0)
		xp_die(1, "%s%s hook \"%s\": pipe: %s", prefix, type, value, xerr(errno));
	pid = fork();
	if (pid < 0)
		xp_die(1, "%s%s hook \"%s\": fork: %s", prefix, type, value, xerr(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);

		if (null < 0 || dup2(null, 0) < 0 || dup2(pfd[1], 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(127);
		xp_cloexec_from(3); /* only 0-2 reach the hook, as with os/exec */
		if (*dir && chdir(dir) < 0)
			_exit(127);
		execve(argv[0], argv, env);
		_exit(127);
	}
	close(pfd[1]);
	for (;;) {
		char buf[4096];
		ssize_t n = read(pfd[0], buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (len + n > sizeof(out) - 1) { /* keep the tail: its last line is the message */
			size_t drop = len + n - (sizeof(out) - 1);

			memmove(out, out + drop, len - drop);
			len -= drop;
		}
		memcpy(out + len, buf, n);
		len += n;
	}
	close(pfd[0]);
	while (waitpid(pid, &ws, 0) < 0)
		if (errno != EINTR)
			xp_die(1, "%s%s hook \"%s\": wait: %s", prefix, type, value, xerr(errno));
	while (len && out[len - 1] == '\n')
		len--;
	out[len] = '\0';
	if (len)
		LOG(DEBUG, "Script exec %s produced output: %s", argv[2] ? argv[2] : value, out);
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 0) {
		LOG(DEBUG, "Script \"%s\" (%s hook) exited with status 0", value, type);
		return;
	}
	{
		char what[96], *tail = strrchr(out, '\n');

		tail = tail ? tail + 1 : out;
		while (*tail == ' ' || *tail == '\t')
			tail++;
		if (WIFSIGNALED(ws))
			snprintf(what, sizeof(what), "was killed by signal %d (%s)", WTERMSIG(ws), strsignal(WTERMSIG(ws)));
		else
			snprintf(what, sizeof(what), "exited with status %d", WEXITSTATUS(ws));
		if (*tail)
			xp_die(1, "%s%s hook \"%s\" %s: %s", prefix, type, value, what, tail);
		xp_die(1, "%s%s hook \"%s\" %s", prefix, type, value, what);
	}
}

int xp_init_op(uint32_t code, struct rd *op)
{
	switch (code) {
	case GOLXC_OP_MOUNT_HOST:
		mount_host(op);
		return 1;
	case GOLXC_OP_OPENROOT:
		open_root(op);
		return 1;
	case GOLXC_OP_MOUNT_IN:
		mount_in(op);
		return 1;
	case GOLXC_OP_UMOUNT_IN:
		umount_in(op);
		return 1;
	case GOLXC_OP_MKDIR_IN:
		mkdir_in(op);
		return 1;
	case GOLXC_OP_ENTRY:
		mount_entry(op);
		return 1;
	case GOLXC_OP_AUTODEV:
		autodev(op);
		return 1;
	case GOLXC_OP_CHMOD_HOST:
		chmod_host(op);
		return 1;
	case GOLXC_OP_DEVPTS:
		devpts(op);
		return 1;
	case GOLXC_OP_DEVLINKS:
		devlinks();
		return 1;
	case GOLXC_OP_PIVOT:
		pivot(op);
		return 1;
	case GOLXC_OP_SENDTTYS:
		send_ttys();
		return 1;
	case GOLXC_OP_READY:
		ready();
		return 1;
	case GOLXC_OP_HOSTNAME: {
		const char *name = xp_str(op);
		if (sethostname(name, strlen(name)) < 0)
			xp_die(1, "lxc.uts.name \"%s\": %s", name, xerr(errno));
		LOG(INFO, "Set hostname to \"%s\"", name);
		return 1;
	}
	case GOLXC_OP_SYSCTLS:
		sysctls(op);
		return 1;
	case GOLXC_OP_RLIMITS:
		rlimits(op);
		return 1;
	case GOLXC_OP_CWD: {
		const char *dir = xp_str(op);
		if (chdir(dir) < 0)
			xp_die(1, "lxc.init.cwd \"%s\": %s", dir, xerr(errno));
		return 1;
	}
	case GOLXC_OP_CAPRESTRICT:
		cap_restrict(xp_u64(op));
		return 1;
	case GOLXC_OP_INITEXEC:
		init_exec(op);
	case GOLXC_OP_FAIL:
		xp_die(1, "%s", xp_str(op));
	case GOLXC_OP_HOOK:
		run_hook(op);
		return 1;
	}
	return 0;
}
