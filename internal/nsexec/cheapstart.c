/*
 * Cheap starts for the golxc tools a user runs (lxc-info, lxc-ls, ...):
 * two settings the Go runtime only reads before any Go code runs, so
 * they are made here, in a constructor, and undone in Go (cheapstart.go)
 * where they would outlive their purpose. See "Cheap starts" in doc.go.
 *
 *  - One CPU in the affinity mask while the runtime starts: it sizes
 *    itself from sched_getaffinity, so it creates one P instead of one per
 *    CPU, and no extra thread to run the second P that golxc's main would
 *    then destroy again with GOMAXPROCS(1). The caller's mask is kept in
 *    golxc_cheapstart_affinity and put back on every thread by the init
 *    of cheapstart.go, before any golxc code runs, let alone forks.
 *  - A coarse timer slack for the query tools, which exec nothing: the
 *    runtime's sysmon thread polls every 20 us during a process's first
 *    milliseconds, so a 10 ms tool wakes it about 50 times; with 1 ms of
 *    slack it wakes a few times. The slack is per thread and inherited by
 *    the threads and children a thread creates, so the query tools, which
 *    start no process, keep it for good; lxc-execute, lxc-attach,
 *    lxc-start and lxc-sandbox get it only until this package's init
 *    (lxc-start's monitor, forked before Go by prefork.c, too): the
 *    caller's slack
 *    (golxc_cheapstart_slack) goes back on the main thread there, and
 *    internal/timerslack puts it on each thread that forks, so children
 *    inherit the caller's slack. Only the threads the runtime created in
 *    between (sysmon first) and their own threads keep the coarse one.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "mainargs.h"

#define CHEAPSTART_TIMER_SLACK_NS 1000000

cpu_set_t golxc_cheapstart_affinity;
int golxc_cheapstart_narrowed = 0;
/* The caller's timer slack (ns) when the constructor coarsened the main
 * thread's until init; 0 otherwise. */
unsigned long golxc_cheapstart_slack = 0;

/* tool is the name without "lxc-": the query tools that never fork. */
static int execs_nothing(const char *tool)
{
	static const char *const tools[] = {"info", "wait", "stop", "ls", NULL};

	for (int i = 0; tools[i]; i++)
		if (!strcmp(tool, tools[i]))
			return 1;
	return 0;
}

/* tool is the name without "lxc-": the tools that start processes and wait
 * for them, whose forks internal/timerslack gives the caller's slack back. */
static int slack_until_init(const char *tool)
{
	static const char *const tools[] = {"execute", "attach", "start", "sandbox", NULL};

	for (int i = 0; tools[i]; i++)
		if (!strcmp(tool, tools[i]))
			return 1;
	return 0;
}

/* The tool golxc runs for this argv (argv[0] lxc-NAME, or golxc [lxc-]NAME),
 * without "lxc-"; NULL for anything else (a stage, a test binary, another
 * program that links package lxc). */
static const char *tool_name(int argc, char **argv)
{
	const char *base, *slash;

	if (argc < 1 || !argv || !argv[0])
		return NULL;
	slash = strrchr(argv[0], '/');
	base = slash ? slash + 1 : argv[0];
	if (!strcmp(base, "golxc")) {
		if (argc < 2 || !argv[1])
			return NULL;
		base = argv[1];
		if (strncmp(base, "lxc-", 4))
			return base;
	} else if (strncmp(base, "lxc-", 4))
		return NULL;
	return base + 4;
}

/* The coarse slack on the main thread until this package's init, which puts
 * the caller's (kept in golxc_cheapstart_slack) back. */
static void coarse_slack_until_init(void)
{
	int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);

	if (slack > 0 && slack < CHEAPSTART_TIMER_SLACK_NS &&
	    prctl(PR_SET_TIMERSLACK, CHEAPSTART_TIMER_SLACK_NS, 0, 0, 0) == 0)
		golxc_cheapstart_slack = (unsigned long)slack;
}

__attribute__((constructor)) static void golxc_cheapstart(void)
{
	const struct golxc_main_args *m;
	const char *tool;
	cpu_set_t one;
	int cpu;

	/* A hibernated monitor that wakes (hibernate.c execs the Go monitor
	 * with _GOLXC_RESUME) starts its Go runtime as lxc-start's monitor
	 * did: sysmon with the coarse slack, the rest of the monitor and what
	 * it starts (stop hooks, network scripts) with the caller's. Its
	 * title is no tool name, and it may carry GOMAXPROCS (an exec'd
	 * monitor): the affinity is left alone. */
	if (getenv("_GOLXC_RESUME")) {
		coarse_slack_until_init();
		return;
	}
	/* Stages and helpers are set up by golxc itself (GOMAXPROCS=1 in
	 * their environment); a user's GOMAXPROCS is the user's choice. */
	if (getenv("_GOLXC_NSEXEC") || getenv("GOMAXPROCS"))
		return;
	m = golxc_main_args();
	tool = tool_name(m->argc, m->argv);
	if (!tool)
		return;
	if (execs_nothing(tool))
		prctl(PR_SET_TIMERSLACK, CHEAPSTART_TIMER_SLACK_NS, 0, 0, 0);
	else if (slack_until_init(tool))
		coarse_slack_until_init();

	if (sched_getaffinity(0, sizeof(golxc_cheapstart_affinity), &golxc_cheapstart_affinity) < 0)
		return;
	if (CPU_COUNT(&golxc_cheapstart_affinity) < 2)
		return;
	cpu = sched_getcpu();
	if (cpu < 0 || cpu >= CPU_SETSIZE || !CPU_ISSET(cpu, &golxc_cheapstart_affinity))
		return;
	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	if (sched_setaffinity(0, sizeof(one), &one) == 0)
		golxc_cheapstart_narrowed = 1;
}
