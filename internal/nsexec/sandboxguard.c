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
 * "pid N": a --keep sandbox's monitor to outlive) is put back as the Go
 * guard's stdin (a new pipe holding those bytes: the Go runtime takes its
 * environment from the process's initial stack, so a setenv here would
 * never reach it), and the Go guard decides and cleans up as before. The
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
#define GUARD_DONE "done\n"
#define GUARD_INPUT_MAX 256

/*
 * put_back_stdin makes the n bytes of in the whole of stdin again: a pipe
 * (its buffer holds GUARD_INPUT_MAX easily) written, closed for writing,
 * and moved to fd 0. On failure stdin stays at end of file: the Go guard
 * then cleans up at once, the safe side for a sandbox without --keep.
 */
static void put_back_stdin(const char *in, size_t n)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	/* dup2 clears close-on-exec on fd 0, as a stdin should be. */
	if (write(p[1], in, n) == (ssize_t)n)
		(void)dup2(p[0], STDIN_FILENO);
	close(p[1]);
	if (p[0] != STDIN_FILENO)
		close(p[0]);
}

__attribute__((constructor)) static void golxc_sandbox_guard(void)
{
	const char *dir = getenv(GUARD_ENV);
	char path[PATH_MAX], in[GUARD_INPUT_MAX + 1];
	size_t n = 0;
	int fd;

	if (!dir || !*dir)
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
	put_back_stdin(in, n);
}
