/*
 * lxc-start's prefork: a daemonizing lxc-start forks here, before the Go
 * runtime starts, instead of starting a second Go process as its monitor.
 *
 * The child returns into the Go runtime: it is lxc-start (options, config,
 * errors on the inherited stderr) and then runs the monitor in-process
 * (internal/monitor, prefork.go). The parent never starts Go: it waits for
 * one verdict byte on a pipe, the exit code lxc-start would have returned,
 * and _exit()s with it. The protocol is documented in doc.go.
 *
 * The recognition is conservative: whatever it is unsure of (an unknown or
 * ambiguous option, -F, --help ...) keeps the usual path, in which lxc-start
 * starts its monitor as a separate process. Separate from nsexec.c: it
 * shares no state with the namespace stage and is inert inside one.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mainargs.h"

/*
 * Only golxc's own main package defines this as 1 (cmd/golxc/prefork.go):
 * another Go program that links package lxc never forks here, even if it
 * is called lxc-start, since its Go code would not deliver a verdict.
 */
int golxc_prefork_main __attribute__((weak)) = 0;

/* The verdict pipe's write end in the child; -1 when not preforked. */
int golxc_prefork_fd = -1;

/*
 * The kernel's argv and environment strings, contiguous on the stack,
 * where /proc/PID/cmdline reads the command line: the child moves every
 * string out of it (copies the argv and envp arrays then point to, so the
 * Go runtime's os.Args and environment never alias it) and the monitor
 * writes its title there. Zero when that could not be arranged.
 */
char *golxc_prefork_title;
long golxc_prefork_title_cap;  /* bytes from argv[0] to the end of the last env string */
long golxc_prefork_argv_len;   /* bytes of the argv strings: the kernel's arg_end - arg_start */

enum opt_kind { OPT_FLAG, OPT_ARG, OPT_STOP };

struct opt {
	char shortname; /* 0: long only */
	const char *longname;
	enum opt_kind kind;
};

/* lxc-start's options plus the common ones (internal/tools/start.go, internal/cli). */
static const struct opt start_opts[] = {
	{'d', "daemon", OPT_FLAG},	  {'F', "foreground", OPT_STOP},
	{'f', "rcfile", OPT_ARG},	  {'s', "define", OPT_ARG},
	{'c', "console", OPT_ARG},	  {'L', "console-log", OPT_ARG},
	{'C', "close-all-fds", OPT_FLAG}, {'p', "pidfile", OPT_ARG},
	{0, "share-net", OPT_ARG},	  {0, "share-ipc", OPT_ARG},
	{0, "share-uts", OPT_ARG},	  {0, "share-pid", OPT_ARG},
	{'n', "name", OPT_ARG},		  {'h', "help", OPT_STOP},
	{'?', "help", OPT_STOP},	  {0, "usage", OPT_STOP},
	{0, "version", OPT_STOP},	  {'q', "quiet", OPT_FLAG},
	{'o', "logfile", OPT_ARG},	  {'l', "logpriority", OPT_ARG},
	{'P', "lxcpath", OPT_ARG},
};
#define NOPTS ((int)(sizeof(start_opts) / sizeof(start_opts[0])))

/* What the scan learnt, for the parent's one error line. */
struct scan {
	const char *name;
	int quiet;
};

static const struct opt *find_short(char c)
{
	for (int i = 0; i < NOPTS; i++)
		if (start_opts[i].shortname == c)
			return &start_opts[i];
	return NULL;
}

/* An exact long name, or a unique prefix (--help is listed twice). */
static const struct opt *find_long(const char *s, size_t len)
{
	const struct opt *found = NULL;

	for (int i = 0; i < NOPTS; i++) {
		const char *l = start_opts[i].longname;
		if (strlen(l) == len && !strncmp(l, s, len))
			return &start_opts[i];
	}
	for (int i = 0; i < NOPTS; i++) {
		const char *l = start_opts[i].longname;
		if (strncmp(l, s, len))
			continue;
		if (found && strcmp(found->longname, l))
			return NULL; /* ambiguous: the Go parser says so */
		found = &start_opts[i];
	}
	return found;
}

static void seen(struct scan *sc, const struct opt *o, const char *arg)
{
	if (!strcmp(o->longname, "name"))
		sc->name = arg;
	else if (!strcmp(o->longname, "quiet"))
		sc->quiet = 1;
}

/*
 * daemon_start reports whether args (lxc-start's arguments, argv[0]
 * excluded) surely ask for a daemonized start: GNU getopt_long rules with
 * permutation, stopping at "--"; 0 for anything it would not parse.
 */
static int daemon_start(int argc, char **args, struct scan *sc)
{
	const char *operand = NULL;

	for (int i = 0; i < argc; i++) {
		const char *a = args[i];
		const struct opt *o;

		if (!strcmp(a, "--"))
			break;
		if (!strncmp(a, "--", 2)) {
			const char *eq = strchr(a + 2, '=');
			size_t len = eq ? (size_t)(eq - a - 2) : strlen(a + 2);

			o = find_long(a + 2, len);
			if (!o || o->kind == OPT_STOP || (o->kind == OPT_FLAG && eq))
				return 0;
			if (o->kind == OPT_ARG && !eq) {
				if (++i >= argc)
					return 0;
				seen(sc, o, args[i]);
			} else {
				seen(sc, o, eq ? eq + 1 : NULL);
			}
			continue;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (!operand)
				operand = a;
			continue;
		}
		for (const char *c = a + 1; *c; c++) {
			o = find_short(*c);
			if (!o || o->kind == OPT_STOP)
				return 0;
			if (o->kind == OPT_FLAG) {
				seen(sc, o, NULL);
				continue;
			}
			if (c[1]) {
				seen(sc, o, c + 1);
			} else {
				if (++i >= argc)
					return 0;
				seen(sc, o, args[i]);
			}
			break;
		}
	}
	if (!sc->name)
		sc->name = operand; /* lxc-start NAME */
	return 1;
}

/* For the unit test (prefork_scan.go). */
int golxc_prefork_daemon_start(int argc, char **args)
{
	struct scan sc = {NULL, 0};

	return daemon_start(argc, args, &sc);
}

/* The arguments of an lxc-start invocation: lxc-start ..., golxc start ... */
static int start_args(int argc, char **argv, char ***args)
{
	const char *base = strrchr(argv[0], '/');

	base = base ? base + 1 : argv[0];
	if (!strcmp(base, "lxc-start")) {
		*args = argv + 1;
		return argc - 1;
	}
	if (!strcmp(base, "golxc") && argc > 1 && (!strcmp(argv[1], "start") || !strcmp(argv[1], "lxc-start"))) {
		*args = argv + 2;
		return argc - 2;
	}
	return -1;
}

/*
 * above_stdio moves fd above 2: when the caller closed one of 0-2, pipe2
 * hands out that number, and lxc-start's messages would go to the pipe.
 */
static int above_stdio(int fd)
{
	int moved;

	if (fd < 0 || fd > 2)
		return fd;
	moved = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return moved;
}

static void say(const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = write(2, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/*
 * free_title_area moves the argv and environment strings to the heap if
 * they lie back to back from argv[0] on, as the kernel lays them out, and
 * records the area they leave. Only pointers change: every string keeps
 * its content, so the Go runtime sees the same arguments and environment.
 */
static void free_title_area(int argc, char **argv, char **envp)
{
	char *start = argv[0], *end = start, *copy;
	long argv_len;
	int i;

	if (envp != argv + argc + 1)
		return; /* environ was replaced already: not the kernel's layout */
	for (i = 0; i < argc; i++) {
		if (argv[i] != end)
			return;
		end += strlen(argv[i]) + 1;
	}
	argv_len = end - start;
	for (i = 0; envp[i]; i++) {
		if (envp[i] != end)
			return;
		end += strlen(envp[i]) + 1;
	}
	copy = malloc((size_t)(end - start));
	if (!copy)
		return;
	memcpy(copy, start, (size_t)(end - start));
	for (i = 0; i < argc; i++)
		argv[i] = copy + (argv[i] - start);
	for (i = 0; envp[i]; i++)
		envp[i] = copy + (envp[i] - start);
	golxc_prefork_title = start;
	golxc_prefork_title_cap = end - start;
	golxc_prefork_argv_len = argv_len;
}

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

/* The parent: exit with the child's verdict, or fail in one line. */
static void __attribute__((noreturn)) await_verdict(int fd, const struct scan *sc)
{
	unsigned char v[2];
	ssize_t got;

	do
		got = read(fd, v, sizeof(v));
	while (got < 0 && errno == EINTR);
	if (got == 2 && v[1] == SIGPIPE) {
		/* lxc-start wrote to a closed pipe: it dies of that, as always */
		signal(SIGPIPE, SIG_DFL);
		raise(SIGPIPE);
	}
	if (got >= 1)
		_exit(v[0]);
	if (!sc->quiet) {
		say("lxc-start: ");
		if (sc->name && *sc->name && printable(sc->name)) {
			say(sc->name);
			say(": ");
		}
		say("the monitor process exited before reporting the start result\n");
	}
	_exit(1);
}

__attribute__((constructor)) static void golxc_prefork(void)
{
	const struct golxc_main_args *m = golxc_main_args();
	int argc = m->argc;
	char **argv = m->argv;
	struct scan sc = {NULL, 0};
	const char *off;
	char **args;
	int n, p[2];
	pid_t pid;

	if (!golxc_prefork_main || argc < 1 || !argv || !argv[0])
		return;
	n = start_args(argc, argv, &args);
	if (n < 0)
		return;
	if (getenv("_GOLXC_NSEXEC") || getenv("GOLXC_MONITOR"))
		return; /* a stage or an exec'd monitor, never a command */
	off = getenv("GOLXC_NO_PREFORK");
	if ((off && *off) || geteuid() != 0)
		return;
	if (!daemon_start(n, args, &sc))
		return;
	if (pipe2(p, O_CLOEXEC) < 0)
		return;
	p[0] = above_stdio(p[0]);
	p[1] = above_stdio(p[1]);
	if (p[0] < 0 || p[1] < 0) {
		if (p[0] >= 0)
			close(p[0]);
		if (p[1] >= 0)
			close(p[1]);
		return;
	}
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return;
	}
	if (pid == 0) {
		close(p[0]);
		golxc_prefork_fd = p[1];
		free_title_area(argc, argv, m->envp);
		return;
	}
	close(p[1]);
	await_verdict(p[0], &sc);
}
