/* LXC_ATTACH_TERMINAL wires the container pty only to the std streams
 * that are terminals; with none a terminal, the attached process still
 * gets the pty as its controlling terminal, which hangs up (SIGHUP) once
 * nothing holds its other end. The program has no controlling terminal
 * of its own (setsid), so no proxy to one.
 * argv: NAME LXCPATH DIR (scratch files). Prints "key: value" lines. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lxc/lxccontainer.h>

static const char *status(int st)
{
	static char s[32];
	if (st < 0)
		snprintf(s, sizeof(s), "failed");
	else if (WIFSIGNALED(st))
		snprintf(s, sizeof(s), "signal %d", WTERMSIG(st));
	else
		snprintf(s, sizeof(s), "exit %d", WEXITSTATUS(st));
	return s;
}

/* file's contents with /dev/pts/N made /dev/pts/X and newlines as | */
static const char *contents(const char *dir, const char *name)
{
	static char buf[4096];
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : 0;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	for (char *p = buf; (p = strstr(p, "/dev/pts/")); p += 9)
		if (p[9] >= '0' && p[9] <= '9') {
			p[9] = 'X';
			memmove(p + 10, p + 10 + strspn(p + 10, "0123456789"), strlen(p + 10 + strspn(p + 10, "0123456789")) + 1);
		}
	for (char *p = buf; *p; p++)
		if (*p == '\n')
			*p = '|';
	return buf;
}

static int scratch(const char *dir, const char *name)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
}

int main(int argc, char *argv[])
{
	struct lxc_container *c;

	/* The hang-up case below needs SIGHUP's default action; a caller run
	 * under nohup would pass it on ignored. */
	signal(SIGHUP, SIG_DFL);

	if (argc != 4)
		return 2;
	setsid();
	c = lxc_container_new(argv[1], argv[2]);
	if (!c)
		return 1;
	printf("createl: %d\n", c->createl(c, "busybox", NULL, NULL, 0, NULL));
	c->clear_config_item(c, "lxc.net");
	printf("start: %d\n", c->start(c, 0, NULL));
	printf("wait RUNNING: %d\n", c->wait(c, "RUNNING", 30));
	fflush(stdout);

	/* stdin a pipe, stdout and stderr files: no terminal among them */
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return 1;
	lxc_attach_options_t ao = LXC_ATTACH_OPTIONS_DEFAULT;
	ao.attach_flags |= LXC_ATTACH_TERMINAL;
	ao.stdin_fd = p[0];
	ao.stdout_fd = scratch(argv[3], "none.out");
	ao.stderr_fd = scratch(argv[3], "none.err");
	const char *none[] = {"sh", "-c", "sleep 3; echo finished", NULL};
	int st = c->attach_run_wait(c, &ao, "sh", none);
	printf("no tty: %s\n", status(st));
	printf("no tty out: %s\n", contents(argv[3], "none.out"));

	/* stdin a terminal (a host pty's slave), stdout and stderr files */
	int ptx = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (ptx < 0 || grantpt(ptx) < 0 || unlockpt(ptx) < 0)
		return 1;
	int pts = open(ptsname(ptx), O_RDWR | O_NOCTTY);
	if (pts < 0 || dup2(pts, 0) < 0)
		return 1;
	close(pts);
	lxc_attach_options_t ai = LXC_ATTACH_OPTIONS_DEFAULT;
	ai.attach_flags |= LXC_ATTACH_TERMINAL;
	ai.stdout_fd = scratch(argv[3], "in.out");
	ai.stderr_fd = scratch(argv[3], "in.err");
	const char *in[] = {"sh", "-c",
		"tty; test -t 0 && echo in-tty; test -t 1 || echo out-no-tty; test -t 2 || echo err-no-tty >&2", NULL};
	st = c->attach_run_wait(c, &ai, "sh", in);
	printf("stdin tty: %s\n", status(st));
	printf("stdin tty out: %s\n", contents(argv[3], "in.out"));
	printf("stdin tty err: %s\n", contents(argv[3], "in.err"));

	printf("stop: %d\n", c->stop(c));
	printf("destroy: %d\n", c->destroy(c));
	lxc_container_put(c);
	return 0;
}
