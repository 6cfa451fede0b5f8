/*
 * The hibernating monitor (doc.go, Hibernation): an idle container's Go
 * monitor execs itself with _GOLXC_HIBERNATE=<table fd>, and this
 * constructor, before any Go runtime exists, answers the command socket
 * from the table the Go monitor rendered. It decides nothing: a request
 * whose exact bytes are in the table gets the canned reply; anything
 * else, init's exit, SIGTERM/SIGINT or console output re-execs the golxc
 * binary as the Go monitor (_GOLXC_RESUME), with the connection it could
 * not serve still unread.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "hibernate.h"
#include "mainargs.h"


struct hib {
	struct golxc_hib_header h;
	char *buf;
	uint32_t n;
	const struct golxc_hib_entry **entries;
	const struct golxc_hib_guard **guards;
};

static int read_table(int fd, struct hib *t)
{
	struct stat st;
	size_t off = 0;
	uint32_t i;

	if (fstat(fd, &st) < 0 || st.st_size < GOLXC_HIB_HEADER_SIZE || st.st_size > (64 << 20))
		return -1;
	t->buf = malloc(st.st_size);
	if (!t->buf)
		return -1;
	while (off < (size_t)st.st_size) {
		ssize_t r = pread(fd, t->buf + off, st.st_size - off, off);
		if (r <= 0)
			return -1;
		off += r;
	}
	memcpy(&t->h, t->buf, sizeof(t->h));
	if (t->h.magic != GOLXC_HIB_MAGIC || t->h.version != GOLXC_HIB_VERSION || t->h.size != st.st_size)
		return -1;
	t->n = t->h.entries;
	t->entries = calloc(t->n ? t->n : 1, sizeof(*t->entries));
	t->guards = calloc(t->h.guards ? t->h.guards : 1, sizeof(*t->guards));
	if (!t->entries || !t->guards)
		return -1;
	off = GOLXC_HIB_HEADER_SIZE;
	for (i = 0; i < t->h.guards; i++) {
		const struct golxc_hib_guard *g = (const void *)(t->buf + off);
		size_t len;

		if (off + GOLXC_HIB_GUARD_SIZE > t->h.size)
			return -1;
		len = (GOLXC_HIB_GUARD_SIZE + (size_t)g->len + 7) & ~(size_t)7;
		if (g->len > GOLXC_HIB_GUARD_MAX || off + len > t->h.size)
			return -1;
		t->guards[i] = g;
		off += len;
	}
	for (i = 0; i < t->n; i++) {
		const struct golxc_hib_entry *e = (const void *)(t->buf + off);
		size_t len;

		if (off + GOLXC_HIB_ENTRY_SIZE > t->h.size)
			return -1;
		len = GOLXC_HIB_ENTRY_SIZE + (size_t)e->keylen + e->datalen;
		len = (len + 7) & ~(size_t)7;
		if (e->keylen < GOLXC_HIB_KEY_HEADER || off + len > t->h.size)
			return -1;
		t->entries[i] = e;
		off += len;
	}
	return 0;
}

static const struct golxc_hib_entry *lookup(const struct hib *t, const char *key, size_t keylen)
{
	uint32_t i;

	for (i = 0; i < t->n; i++) {
		const struct golxc_hib_entry *e = t->entries[i];
		if (e->keylen == keylen && memcmp((const char *)(e + 1), key, keylen) == 0)
			return e;
	}
	return NULL;
}

/* guarded: every guard file still reads as when the table was made. A
 * guard's fd is O_PATH: the file is opened afresh through /proc/self/fd
 * for each read and closed, so no kernfs seq_file buffer stays allocated
 * while the container idles. Any failure counts as changed (Go answers). */
static int guarded(const struct hib *t)
{
	char b[GOLXC_HIB_GUARD_MAX + 1], path[40];
	uint32_t i;

	for (i = 0; i < t->h.guards; i++) {
		const struct golxc_hib_guard *g = t->guards[i];
		ssize_t r;
		int fd;

		snprintf(path, sizeof(path), "/proc/self/fd/%d", (int)g->fd);
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return 0;
		r = pread(fd, b, sizeof(b), 0);
		close(fd);
		if (r != (ssize_t)g->len || memcmp(b, (const char *)(g + 1), g->len) != 0)
			return 0;
	}
	return 1;
}

static const char *entry_data(const struct golxc_hib_entry *e) { return (const char *)(e + 1) + e->keylen; }

/* peek waits (bounded by SO_RCVTIMEO) until n bytes can be peeked. */
static int peek(int fd, char *buf, size_t n)
{
	int tries;

	for (tries = 0; tries < 2000; tries++) {
		ssize_t r = recv(fd, buf, n, MSG_PEEK | MSG_WAITALL);
		if (r == (ssize_t)n)
			return 0;
		if (r == 0 || (r < 0 && errno != EINTR && errno != EAGAIN))
			return -1;
		if (r < 0 && errno == EAGAIN)
			return -1; /* the receive timeout passed */
		usleep(1000);
	}
	return -1;
}

static int send_reply(int fd, int32_t ret, int64_t value, const char *data, uint32_t len, int passfd)
{
	char hdr[16] = {0};
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {(void *)data, len}};
	struct msghdr msg = {.msg_iov = iov, .msg_iovlen = len ? 2 : 1};
	uint32_t dl = len;

	memcpy(hdr, &ret, 4);
	memcpy(hdr + 4, &dl, 4);
	memcpy(hdr + 8, &value, 8);
	if (passfd >= 0) {
		struct cmsghdr *c;
		memset(cbuf, 0, sizeof(cbuf));
		msg.msg_control = cbuf;
		msg.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &passfd, sizeof(int));
	}
	return sendmsg(fd, &msg, MSG_NOSIGNAL) < 0 ? -1 : 0;
}

/* consume reads the n peeked bytes for real. */
static int consume(int fd, size_t n)
{
	char b[512];

	while (n > 0) {
		ssize_t r = recv(fd, b, n < sizeof(b) ? n : sizeof(b), 0);
		if (r <= 0)
			return -1;
		n -= r;
	}
	return 0;
}

/* batch answers a golxc batch whose every query is in the table; -1: not
 * all are (the Go monitor answers it). */
static int batch(const struct hib *t, int fd, const char *p, uint32_t len)
{
	static char out[GOLXC_HIB_DATA_MAX];
	char key[GOLXC_HIB_KEY_HEADER + GOLXC_HIB_DATA_MAX];
	uint32_t off = 0, olen = 0, count = 0;

	while (off < len) {
		const struct golxc_hib_entry *e;
		int32_t cmd;
		uint32_t dl;
		int64_t mark = GOLXC_HIB_BATCH_KEY;

		if (len - off < 8 || count == GOLXC_HIB_BATCH_MAX)
			return -1;
		memcpy(&cmd, p + off, 4);
		memcpy(&dl, p + off + 4, 4);
		if (dl > len - off - 8)
			return -1;
		memcpy(key, &cmd, 4);
		memcpy(key + 4, &dl, 4);
		memcpy(key + 8, &mark, 8); /* only batchable queries have such keys */
		memcpy(key + GOLXC_HIB_KEY_HEADER, p + off + 8, dl);
		e = lookup(t, key, GOLXC_HIB_KEY_HEADER + dl);
		if (!e || e->fd >= 0 || olen + 16 + e->datalen > sizeof(out))
			return -1;
		memcpy(out + olen, &e->ret, 4);
		memcpy(out + olen + 4, &e->datalen, 4);
		memcpy(out + olen + 8, &e->value, 8);
		memcpy(out + olen + 16, entry_data(e), e->datalen);
		olen += 16 + e->datalen;
		off += 8 + dl;
		count++;
	}
	if (consume(fd, GOLXC_HIB_KEY_HEADER + len) < 0)
		return 0;
	send_reply(fd, 0, count, out, olen, -1);
	return 0;
}

/* HIB_REQUEST_WAIT_MS bounds the wait for a new connection's request. */
#define HIB_REQUEST_WAIT_MS 50

/* serve answers one connection from the table: 0 done (answered or
 * dropped), -1 the Go monitor must answer it. */
static int serve(const struct hib *t, int fd)
{
	static char raw[GOLXC_HIB_KEY_HEADER + GOLXC_HIB_DATA_MAX];
	static char key[GOLXC_HIB_KEY_HEADER + GOLXC_HIB_DATA_MAX];
	struct ucred cr;
	socklen_t crlen = sizeof(cr);
	struct timeval tv = {2, 0};
	struct pollfd pf = {.fd = fd, .events = POLLIN};
	const struct golxc_hib_entry *e;
	int32_t cmd, datalen;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &crlen) < 0)
		return 0;
	if (cr.uid != 0 && (cr.uid != t->h.uid || cr.gid != t->h.gid)) {
		send_reply(fd, -EPERM, 0, NULL, 0, -1);
		return 0;
	}
	if (!guarded(t))
		return -1;
	/* The loop serves one connection at a time: a client that has not
	 * sent its request within a moment (a probe connection it keeps for
	 * later, as cmdsock.Dial does, or one descheduled) goes to the Go
	 * monitor, which serves each on its own, instead of holding every
	 * other client up to the receive timeout and then being dropped. */
	if (poll(&pf, 1, HIB_REQUEST_WAIT_MS) <= 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	/* The header is 16 bytes on 64-bit hosts: cmd, datalen, pointer. */
	if (peek(fd, raw, GOLXC_HIB_KEY_HEADER) < 0)
		return 0; /* gone or silent: the Go server drops these too */
	memcpy(&cmd, raw, 4);
	memcpy(&datalen, raw + 4, 4);
	if (datalen < 0 || datalen > GOLXC_HIB_DATA_MAX)
		return -1;
	memcpy(key, raw, GOLXC_HIB_KEY_HEADER);
	if (datalen > 0) {
		if (peek(fd, raw, GOLXC_HIB_KEY_HEADER + datalen) < 0)
			return 0;
		memset(key + 8, 0, 8); /* the slot holds a pointer, not a value */
		memcpy(key + GOLXC_HIB_KEY_HEADER, raw + GOLXC_HIB_KEY_HEADER, datalen);
	}
	if (cmd == GOLXC_HIB_BATCH)
		return batch(t, fd, key + GOLXC_HIB_KEY_HEADER, datalen);
	e = lookup(t, key, GOLXC_HIB_KEY_HEADER + datalen);
	if (!e)
		return -1;
	if (consume(fd, GOLXC_HIB_KEY_HEADER + datalen) < 0)
		return 0;
	send_reply(fd, e->ret, e->value, entry_data(e), e->datalen, e->fd);
	return 0;
}

static char **hib_argv, **hib_envp;

/* wake execs the Go monitor: reason e (init exited), c (connection fd),
 * s (signal), t (console output). Signals stay blocked across the exec;
 * the Go runtime unblocks the ones it handles. */
static void wake(const struct hib *t, char reason, int connfd, int sig)
{
	static char env[96];
	char **e, **envp;
	int n = 0, i = 0;

	if (connfd >= 0)
		fcntl(connfd, F_SETFD, 0);
	snprintf(env, sizeof(env), "_GOLXC_RESUME=%d:%c:%d:%d", t->h.state_fd, reason, connfd, sig);
	for (e = hib_envp; e && *e; e++)
		n++;
	envp = calloc(n + 2, sizeof(char *));
	if (envp) {
		for (e = hib_envp; e && *e; e++)
			if (strncmp(*e, "_GOLXC_HIBERNATE=", 17) != 0)
				envp[i++] = *e;
		envp[i++] = env;
		execve("/proc/self/exe", hib_argv, envp);
	}
	/* Nothing else can serve the container: dying makes its init go
	 * (parent-death signal) and the next start cleans up. */
	_exit(127);
}

__attribute__((constructor)) static void golxc_hibernate(void)
{
	const char *v = getenv("_GOLXC_HIBERNATE");
	const struct golxc_main_args *m;
	struct hib t = {0};
	struct pollfd p[4];
	sigset_t set;
	int tfd, sfd, np;

	if (!v || !*v)
		return;
	m = golxc_main_args();
	if (m->argc < 1)
		_exit(127); /* nothing to exec again when woken */
	hib_argv = m->argv;
	hib_envp = m->envp;
	tfd = atoi(v);
	if (read_table(tfd, &t) < 0)
		_exit(127);
	close(tfd);
	prctl(PR_SET_NAME, t.h.comm, 0, 0, 0);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGUSR2);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC);
	for (;;) {
		np = 0;
		p[np++] = (struct pollfd){.fd = t.h.listen_fd, .events = POLLIN};
		p[np++] = (struct pollfd){.fd = t.h.pidfd, .events = POLLIN};
		p[np++] = (struct pollfd){.fd = sfd, .events = POLLIN};
		if (t.h.console_fd >= 0)
			p[np++] = (struct pollfd){.fd = t.h.console_fd, .events = POLLIN};
		if (poll(p, np, -1) < 0) {
			if (errno == EINTR)
				continue;
			wake(&t, 'e', -1, 0);
		}
		if (p[1].revents)
			wake(&t, 'e', -1, 0);
		if (p[2].revents) {
			struct signalfd_siginfo si;
			if (read(sfd, &si, sizeof(si)) == sizeof(si) &&
			    (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT))
				wake(&t, 's', -1, si.ssi_signo);
			/* the Go monitor ignores the others too */
		}
		if (np > 3 && p[3].revents)
			wake(&t, 't', -1, 0);
		if (p[0].revents) {
			int c = accept4(t.h.listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (c < 0)
				continue;
			if (serve(&t, c) < 0)
				wake(&t, 'c', c, 0);
			close(c);
		}
	}
}
