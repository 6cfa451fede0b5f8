/*
 * lxc-sandbox's guard (lxc/sandbox_guard.go) without a Go runtime on its
 * usual path. lxc-sandbox starts the guard first thing, as golxc with
 * GOLXC_SANDBOX_GUARD=DIR and a pipe as stdin, so that a kill -9 of
 * lxc-sandbox still gets its mounts, cgroups and directories removed. A
 * sandbox that ends normally cleans up itself and writes "done\n": the
 * guard then has nothing to do. Here it waits for that before the Go
 * runtime starts, and exits at once, so a normal run pays the guard's
 * exec but not its Go runtime's start (threads, heap, page faults) on a
 * CPU the sandbox is starting on.
 *
 * Anything else read before end of file (nothing: lxc-sandbox died; or
 * "pid N": a --keep sandbox's monitor to outlive) goes to the Go guard in
 * _GOLXC_SANDBOX_GUARD_INPUT, which decides and cleans up as before. The
 * guard.json share lock is taken here already, as the Go guard takes it
 * before waiting: a sandbox whose guard waits is never stale to another
 * lxc-sandbox's sweep.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* Names shared with lxc/sandbox_guard.go. */
#define GUARD_ENV "GOLXC_SANDBOX_GUARD"
#define GUARD_INPUT_ENV "_GOLXC_SANDBOX_GUARD_INPUT"
#define GUARD_DONE "done\n"
#define GUARD_INPUT_MAX 256

__attribute__((constructor)) static void golxc_sandbox_guard(void)
{
	const char *dir = getenv(GUARD_ENV);
	char path[PATH_MAX], in[GUARD_INPUT_MAX + 1];
	size_t n = 0;
	int fd;

	if (!dir || !*dir || getenv(GUARD_INPUT_ENV))
		return;
	if (snprintf(path, sizeof(path), "%s/guard.json", dir) >= (int)sizeof(path))
		return;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return; /* the Go guard says why */
	/* Held until the guard exits (fd kept open on purpose). */
	(void)flock(fd, LOCK_SH);
	while (n < GUARD_INPUT_MAX) {
		ssize_t r = read(STDIN_FILENO, in + n, GUARD_INPUT_MAX - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	in[n] = '\0';
	if (!strcmp(in, GUARD_DONE))
		_exit(0);
	(void)setenv(GUARD_INPUT_ENV, in, 1);
}
