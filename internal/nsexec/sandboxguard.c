/*
 * lxc-sandbox's guard (lxc/sandbox_guard.go) without a Go runtime on its
 * usual path. golxc's lxc-sandbox forks it before its own runtime starts
 * (below, "The forked guard"); another program using package lxc starts
 * the guard first thing, as golxc with GOLXC_SANDBOX_GUARD=DIR and a pipe
 * as stdin, so that a kill -9 of lxc-sandbox still gets its mounts,
 * cgroups and directories removed. A sandbox that ends normally cleans up
 * itself and writes "done\n": the guard then only removes the runtime
 * directory, which root's lxc-sandbox leaves empty (everything of the
 * sandbox was on the tmpfs mounted there; removing a directory of a
 * disk-backed RUNDIR waits for a discard, and lxc-sandbox's caller need
 * not); where lxc-sandbox removed it itself, the rmdir finds nothing. Here (in
 * an exec'd guard) it waits for that before the Go runtime starts, and
 * exits at once, so such a run pays the guard's exec but not its Go
 * runtime's start (threads, heap, page faults) on a CPU the sandbox is
 * starting on; the forked guard pays neither.
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
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "mainargs.h"

/*
 * gsys is a raw system call for the forked guard: it returns -errno and
 * writes no errno. The guard shares lxc-sandbox's memory and, without
 * CLONE_SETTLS, its thread pointer: libc's wrappers would store their
 * errno in lxc-sandbox's main thread, under the Go runtime running there
 * (cgo reads errno after a call). Other architectures keep the exec'd
 * guard (GUARD_FORK).
 */
#if defined(__x86_64__)
#define GUARD_FORK 1
static long gsys(long n, long a, long b, long c, long d)
{
	long ret;
	register long r10 __asm__("r10") = d;

	__asm__ volatile("syscall" : "=a"(ret) : "a"(n), "D"(a), "S"(b), "d"(c), "r"(r10) : "rcx", "r11", "memory");
	return ret;
}
#elif defined(__aarch64__)
#define GUARD_FORK 1
static long gsys(long n, long a, long b, long c, long d)
{
	register long x8 __asm__("x8") = n;
	register long x0 __asm__("x0") = a;
	register long x1 __asm__("x1") = b;
	register long x2 __asm__("x2") = c;
	register long x3 __asm__("x3") = d;

	__asm__ volatile("svc 0" : "+r"(x0) : "r"(x8), "r"(x1), "r"(x2), "r"(x3) : "memory");
	return x0;
}
#else
#define GUARD_FORK 0
#endif

/* Names shared with lxc/sandbox_guard.go. */
#define GUARD_ENV "GOLXC_SANDBOX_GUARD"
#define GUARD_DONE "done\n"
#define GUARD_INPUT_MAX 256
#define GUARD_DIR "dir " /* the forked guard's first line: its runtime directory */

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
	if (!strcmp(in, GUARD_DONE)) {
		(void)rmdir(dir); /* the emptied runtime directory, left to us */
		_exit(0);
	}
	put_back_stdin(in, n);
}

/*
 * The forked guard. golxc's own lxc-sandbox starts its guard here, before
 * the Go runtime starts, instead of exec'ing golxc as the guard once the
 * runtime runs: no exec of the 7.7 MB image, no Go fork that probes for
 * pidfds before a process's first child, and lxc-sandbox waits for
 * neither (os/exec's vfork held it until the guard's exec was done).
 *
 * The guard is a child process that shares lxc-sandbox's memory
 * (clone(CLONE_VM), its own small stack with a guard page below it, its
 * own descriptor table; it makes raw system calls only, gsys, as it
 * shares lxc-sandbox's thread pointer and so its errno): a fork
 * would copy the page tables and make both processes take a copy-on-write
 * fault for every page either writes afterwards (~2 ms of CPU and ~27
 * faults per run on a hypervisor that traps page-table updates). It runs
 * only the C below: static buffers, its own stack, system calls, and the
 * values it needs copied before the clone (the runtime changes the
 * originals later). When lxc-sandbox exits the address space lives on in
 * the guard until it exits too, so the teardown of the Go heap's mappings
 * happens after lxc-sandbox's exit status reached its caller. (A core
 * dump of lxc-sandbox would kill the guard with it: the kernel stops
 * every process of a dumping address space. The next lxc-sandbox then
 * sweeps what is left, as after a killed guard.)
 *
 * The child is the guard: a session of its own, stdio on /dev/null, no
 * other inherited descriptor, the caller's CPU mask and timer slack
 * (cheapstart.c may have changed them). It reads its pipe until end of
 * file. lxc-sandbox writes "dir DIR\n" first, once DIR/guard.json exists
 * (the guard then takes its share lock at once), then what the exec'd
 * guard reads on its stdin ("pid N", "done"). At end of file: no directory
 * (lxc-sandbox ended before making one: --help, a refused option): exit;
 * "done" alone (the sandbox cleaned up itself): remove the directory, which
 * it left empty, and exit. Otherwise exec golxc
 * as the guard, exactly as lxc-sandbox used to start it
 * (GOLXC_SANDBOX_GUARD=DIR, the input after the directory line as stdin),
 * which then cleans up; the lock stays held across the exec (its
 * descriptor is inherited).
 *
 * Only in golxc (golxc_prefork_main, prefork.c), for argv[0] lxc-sandbox or
 * golxc [lxc-]sandbox, never in a stage, a monitor or an exec'd guard;
 * GOLXC_NO_GUARD_FORK=1 keeps the exec'd guard. Another program using
 * package lxc starts its guard by exec as before.
 */
extern int golxc_prefork_main;
extern cpu_set_t golxc_cheapstart_affinity;
extern int golxc_cheapstart_narrowed;
extern unsigned long golxc_cheapstart_slack;

/* The pipe's write end in lxc-sandbox (TakeSandboxGuardFD); -1 when none. */
int golxc_sandbox_guard_fd = -1;

#define GUARD_STACK (128 * 1024)
#define GUARD_PAGE 4096

/* What the guard needs, copied before the clone. */
static struct {
	int in_fd;
	int narrowed;
	cpu_set_t affinity;
	unsigned long slack;
	char home[PATH_MAX + 8];       /* "HOME=..." or "" */
	char xdg[PATH_MAX + 24];       /* "XDG_RUNTIME_DIR=..." or "" */
	char in[GUARD_INPUT_MAX + PATH_MAX + 8];
	char dirvar[PATH_MAX + sizeof(GUARD_ENV) + 1];
	char lockpath[PATH_MAX + 16];
} guard;

static int sandbox_tool(int argc, char **argv)
{
	const char *base;

	if (argc < 1 || !argv || !argv[0])
		return 0;
	base = strrchr(argv[0], '/');
	base = base ? base + 1 : argv[0];
	if (!strcmp(base, "lxc-sandbox"))
		return 1;
	return !strcmp(base, "golxc") && argc > 1 && argv[1] &&
	       (!strcmp(argv[1], "lxc-sandbox") || !strcmp(argv[1], "sandbox"));
}

/* cat copies a then b into dst of size n; 0 when it does not fit. */
static int cat(char *dst, size_t n, const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la + lb + 1 > n)
		return 0;
	memcpy(dst, a, la);
	memcpy(dst + la, b, lb + 1);
	return 1;
}

/* keep_env copies "KEY=value" of envp into dst, or leaves it "". */
static void keep_env(char *dst, size_t n, char **envp, const char *key)
{
	size_t k = strlen(key);

	dst[0] = '\0';
	for (; envp && *envp; envp++)
		if (!strncmp(*envp, key, k) && (*envp)[k] == '=') {
			if (!cat(dst, n, *envp, ""))
				dst[0] = '\0';
			return;
		}
}

#if GUARD_FORK
/* guard_put_back_stdin is put_back_stdin in raw system calls. */
static void guard_put_back_stdin(const char *in, size_t n)
{
	int p[2];

	if (gsys(SYS_pipe2, (long)p, O_CLOEXEC, 0, 0) < 0)
		return;
	/* dup3 without O_CLOEXEC: fd 0 stays open across the exec. */
	if (gsys(SYS_write, p[1], (long)in, (long)n, 0) == (long)n)
		(void)gsys(SYS_dup3, p[0], STDIN_FILENO, 0, 0);
	(void)gsys(SYS_close, p[1], 0, 0, 0);
	if (p[0] != STDIN_FILENO)
		(void)gsys(SYS_close, p[0], 0, 0, 0);
}

/* The forked guard's code: raw system calls only (gsys), so that nothing
 * of lxc-sandbox's thread state is written. */
static int guard_main(void *unused)
{
	char *in = guard.in, *rest, *nl, *env[6], *argv[] = {"golxc", "lxc-sandbox", NULL};
	const size_t dirlen = strlen(GUARD_DIR);
	long in_fd = guard.in_fd, null;
	int e = 0, have_dir = 0;
	size_t n = 0;

	(void)unused;
	(void)gsys(SYS_setsid, 0, 0, 0, 0);
	if (guard.narrowed)
		(void)gsys(SYS_sched_setaffinity, 0, sizeof(guard.affinity), (long)&guard.affinity, 0);
	if (guard.slack > 0)
		(void)gsys(SYS_prctl, PR_SET_TIMERSLACK, (long)guard.slack, 0, 0);
	null = gsys(SYS_openat, AT_FDCWD, (long)"/dev/null", O_RDWR, 0);
	if (in_fd != 3) {
		if (gsys(SYS_dup3, in_fd, 3, 0, 0) < 0)
			(void)gsys(SYS_exit_group, 1, 0, 0, 0);
		in_fd = 3;
	}
	if (null >= 0) {
		for (int fd = 0; fd < 3; fd++)
			if (fd != null)
				(void)gsys(SYS_dup3, null, fd, 0, 0);
	}
	if (gsys(SYS_close_range, 4, ~0U, 0, 0) < 0)
		for (int fd = 4; fd < 1024; fd++)
			(void)gsys(SYS_close, fd, 0, 0, 0);
	(void)gsys(SYS_prctl, PR_SET_NAME, (long)"sandbox-guard", 0, 0);
	for (;;) {
		long r = gsys(SYS_read, in_fd, (long)(in + n), (long)(sizeof(guard.in) - 1 - n), 0);

		if (r == -EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
		in[n] = '\0';
		if (!have_dir && !strncmp(in, GUARD_DIR, dirlen) && (nl = strchr(in, '\n'))) {
			*nl = '\0';
			if (nl == in + dirlen || !cat(guard.dirvar, sizeof(guard.dirvar), GUARD_ENV "=", in + dirlen) ||
			    !cat(guard.lockpath, sizeof(guard.lockpath), in + dirlen, "/guard.json"))
				(void)gsys(SYS_exit_group, 1, 0, 0, 0);
			*nl = '\n';
			have_dir = 1;
			/* Held until the guard exits, and across its exec. */
			long fd = gsys(SYS_openat, AT_FDCWD, (long)guard.lockpath, O_RDONLY, 0);
			if (fd >= 0)
				(void)gsys(SYS_flock, fd, LOCK_SH, 0, 0);
		}
		if (n == sizeof(guard.in) - 1) {
			/* Never so much: lxc-sandbox writes a few short lines.
			 * Wait for the end all the same, then clean up. */
			char skip[256];

			while ((r = gsys(SYS_read, in_fd, (long)skip, sizeof(skip), 0)) != 0)
				if (r < 0 && r != -EINTR)
					break;
			break;
		}
	}
	in[n] = '\0';
	if (!have_dir)
		(void)gsys(SYS_exit_group, 0, 0, 0, 0); /* no sandbox was made */
	rest = strchr(in, '\n') + 1;
	if (!strcmp(rest, GUARD_DONE)) {
		/* The emptied runtime directory, left to us (rmdir: only
		 * when empty). */
		(void)gsys(SYS_unlinkat, AT_FDCWD, (long)(guard.dirvar + strlen(GUARD_ENV "=")), AT_REMOVEDIR, 0);
		(void)gsys(SYS_exit_group, 0, 0, 0, 0);
	}
	(void)gsys(SYS_close, in_fd, 0, 0, 0);
	guard_put_back_stdin(rest, strlen(rest));
	env[e++] = guard.dirvar;
	env[e++] = "PATH=/usr/sbin:/usr/bin:/sbin:/bin";
	if (guard.home[0])
		env[e++] = guard.home;
	if (guard.xdg[0])
		env[e++] = guard.xdg;
	env[e] = NULL;
	(void)gsys(SYS_execve, (long)"/proc/self/exe", (long)argv, (long)env, 0);
	(void)gsys(SYS_exit_group, 1, 0, 0, 0);
	return 1;
}
#else
static int guard_main(void *unused)
{
	(void)unused;
	return 1; /* never cloned: GUARD_FORK is 0 */
}
#endif

__attribute__((constructor)) static void golxc_sandbox_guard_fork(void)
{
	const struct golxc_main_args *m;
	const char *off;
	void *stack;
	int p[2];
	pid_t pid;

	if (!GUARD_FORK || !golxc_prefork_main)
		return;
	m = golxc_main_args();
	if (!sandbox_tool(m->argc, m->argv))
		return;
	if (getenv(GUARD_ENV) || getenv("_GOLXC_NSEXEC") || getenv("GOLXC_MONITOR"))
		return;
	off = getenv("GOLXC_NO_GUARD_FORK");
	if (off && *off)
		return;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	/* Above stdio: a caller that closed fd 0-2 would otherwise get the
	 * pipe there, and lxc-sandbox's output would go into it. */
	for (int i = 0; i < 2; i++) {
		if (p[i] <= 2) {
			int moved = fcntl(p[i], F_DUPFD_CLOEXEC, 3);

			close(p[i]);
			p[i] = moved;
		}
	}
	if (p[0] < 0 || p[1] < 0)
		goto fail;
	/* One page more, the lowest, inaccessible: an overflow faults instead
	 * of writing into lxc-sandbox's memory. */
	stack = mmap(NULL, GUARD_STACK + GUARD_PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (stack == MAP_FAILED)
		goto fail;
	if (mprotect(stack, GUARD_PAGE, PROT_NONE) < 0) {
		munmap(stack, GUARD_STACK + GUARD_PAGE);
		goto fail;
	}
	guard.in_fd = p[0];
	guard.narrowed = golxc_cheapstart_narrowed;
	guard.affinity = golxc_cheapstart_affinity;
	guard.slack = golxc_cheapstart_slack;
	keep_env(guard.home, sizeof(guard.home), m->envp, "HOME");
	keep_env(guard.xdg, sizeof(guard.xdg), m->envp, "XDG_RUNTIME_DIR");
	/* Its own descriptor table and signal handlers; the memory and the
	 * thread pointer are lxc-sandbox's, hence raw system calls only. */
	pid = clone(guard_main, (char *)stack + GUARD_PAGE + GUARD_STACK, CLONE_VM | SIGCHLD, NULL);
	if (pid < 0) {
		munmap(stack, GUARD_STACK + GUARD_PAGE);
		goto fail;
	}
	close(p[0]);
	golxc_sandbox_guard_fd = p[1];
	return;
fail:
	if (p[0] >= 0)
		close(p[0]);
	if (p[1] >= 0)
		close(p[1]);
}
