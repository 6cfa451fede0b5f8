/* The methods beyond create/start/attach: console_getfd, console,
 * console_log, mount, umount and migrate, on a busybox container with a
 * console ring buffer. argv: NAME LXCPATH SRCDIR (a host directory
 * holding a file "marker"). Prints "key: value" lines, the same under
 * LXC's liblxc and golxc's. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lxc/lxccontainer.h>

/* read from fd until want was seen after offset from (or the end) */
static int wait_for(int fd, const char *want, char *seen, size_t cap, size_t *len, size_t from)
{
	if (strstr(seen + from, want))
		return 1;
	while (*len + 1 < cap) {
		ssize_t n = read(fd, seen + *len, cap - 1 - *len);
		if (n <= 0)
			return 0;
		*len += (size_t)n;
		seen[*len] = 0;
		if (strstr(seen + from, want))
			return 1;
	}
	return 0;
}

/* The user at the console: Enter (busybox's askfirst), a command, then
 * Ctrl-a q once its output and the next prompt are there. Reports 0 when
 * all was seen, on the report pipe (liblxc may reap the child itself). */
static int report = -1;

static void done(char code)
{
	if (write(report, &code, 1) != 1)
		_exit(1);
	_exit(0);
}

static char seen[1 << 16];
static void on_alarm(int sig)
{
	(void)sig;
	dprintf(2, "user saw: [%s]\n", seen);
	done(7);
}

static void user(int to_console, int from_console)
{
	signal(SIGALRM, on_alarm);
	size_t len = 0;
	alarm(20); /* a guard against a hang, not a timing check */
	if (write(to_console, "\r", 1) != 1)
		done(2);
	if (!wait_for(from_console, "# ", seen, sizeof(seen), &len, 0))
		{ dprintf(2, "user saw: [%s]\n", seen); done(3); }
	const char *cmd = "echo capi-$((6*7))\r";
	if (write(to_console, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
		done(4);
	/* the output, then the next prompt (LXC's proxy adds a \r) */
	size_t at = len;
	if (!wait_for(from_console, "capi-42\r", seen, sizeof(seen), &len, at))
		{ dprintf(2, "user saw: [%s]\n", seen); done(8); }
	at = strstr(seen + at, "capi-42\r") - seen;
	if (!wait_for(from_console, "/ # ", seen, sizeof(seen), &len, at))
		{ dprintf(2, "user saw: [%s]\n", seen); done(5); }
	if (write(to_console, "\001q", 2) != 2)
		done(6);
	done(0);
}

static void print_log(struct lxc_container *c, const char *what, bool rd, bool clear, uint64_t max)
{
	struct lxc_console_log log = {.clear = clear, .read = rd, .read_max = &max, .data = NULL};
	int ret = c->console_log(c, &log);
	/* how much the boot wrote differs: LXC's console proxy adds \r */
	printf("%s: %d len %s data %s", what, ret, max == 0 ? "0" : max == 4 ? "4" : "more",
	       log.data ? "set" : "NULL");
	if (log.data && strstr(log.data, "capi-42"))
		printf(" has capi-42");
	printf("\n");
	free(log.data);
}

int main(int argc, char *argv[])
{
	struct lxc_container *c;
	struct lxc_mount mnt = {.version = 0};
	struct migrate_opts mo;
	char path[4096];
	int ttynum, ptx, holder, ret;

	if (argc != 4)
		return 2;
	c = lxc_container_new(argv[1], argv[2]);
	if (!c)
		return 1;
	printf("mount undefined: %d\n", c->mount(c, argv[3], "/mnt/capi", NULL, MS_BIND, NULL, &mnt));
	printf("umount undefined: %d\n", c->umount(c, "/mnt/capi", 0, &mnt));
	printf("createl: %d\n", c->createl(c, "busybox", NULL, NULL, 0, NULL));
	c->clear_config_item(c, "lxc.net");
	printf("set buffer: %d\n", c->set_config_item(c, "lxc.console.buffer.size", "65536"));
	printf("save_config: %d\n", c->save_config(c, NULL));

	ttynum = -1;
	printf("console_getfd stopped: %d\n", c->console_getfd(c, &ttynum, &ptx));
	uint64_t max = 0;
	struct lxc_console_log log = {.read = true, .read_max = &max};
	printf("console_log stopped: %d\n", c->console_log(c, &log));
	memset(&mo, 0, sizeof(mo));
	mo.directory = "/nonexistent/capi-ck";
	printf("migrate dump stopped: %d\n", c->migrate(c, MIGRATE_DUMP, &mo, sizeof(mo)));
	printf("migrate bad cmd: %d\n", c->migrate(c, 42, &mo, sizeof(mo)));
	struct {
		struct migrate_opts o;
		char extra[8];
	} big;
	memset(&big, 0, sizeof(big));
	big.extra[3] = 1;
	printf("migrate bigger struct: %d\n", c->migrate(c, MIGRATE_DUMP, &big.o, sizeof(big)));
	mo.features_to_check = 1ULL << 5;
	ret = c->migrate(c, MIGRATE_FEATURE_CHECK, &mo, sizeof(mo));
	printf("migrate unknown feature: %d %llu\n", ret, (unsigned long long)mo.features_to_check);
	printf("mount without shmounts: %d\n", c->mount(c, argv[3], "/mnt/capi", NULL, MS_BIND, NULL, &mnt));

	printf("start: %d\n", c->start(c, 0, NULL));
	printf("wait RUNNING: %d\n", c->wait(c, "RUNNING", 30));
	printf("migrate restore running: %d\n", c->migrate(c, MIGRATE_RESTORE, &mo, sizeof(mo)));

	ttynum = -1;
	holder = c->console_getfd(c, &ttynum, &ptx);
	printf("console_getfd: %d tty %d ptx %d\n", holder >= 0, ttynum, ptx >= 0 && ptx != holder);
	int busy = 1;
	int again = c->console_getfd(c, &busy, &ptx);
	printf("console_getfd busy: %d\n", again);
	close(ptx);
	close(holder);
	busy = 1;
	again = c->console_getfd(c, &busy, &ptx);
	printf("console_getfd after close: %d tty %d\n", again >= 0, busy);
	if (again >= 0) {
		close(ptx);
		close(again);
	}

	/* the console session, with the user as a child process */
	int in[2], out[2], rep[2];
	if (pipe(in) < 0 || pipe(out) < 0 || pipe(rep) < 0)
		return 1;
	fflush(stdout);
	pid_t u = fork();
	if (u == 0) {
		close(in[0]);
		close(out[1]);
		close(rep[0]);
		report = rep[1];
		user(in[1], out[0]);
	}
	close(in[1]);
	close(out[0]);
	ret = c->console(c, 0, in[0], out[1], 2, 1);
	close(in[0]);
	close(out[1]);
	close(rep[1]);
	char code = -1;
	if (read(rep[0], &code, 1) != 1)
		code = -1;
	waitpid(u, NULL, 0);
	printf("console: %d user: %d\n", ret, code);

	print_log(c, "console_log read 4", true, false, 4);
	print_log(c, "console_log read rest", true, false, 0);
	print_log(c, "console_log read empty", true, false, 0);
	print_log(c, "console_log clear", false, true, 0);

	/* LXC_ATTACH_REMOUNT_PROC_SYS without the mount namespace: the host's
	 * files, the container's /proc */
	lxc_attach_options_t ro = LXC_ATTACH_OPTIONS_DEFAULT;
	ro.namespaces = CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC;
	ro.attach_flags |= LXC_ATTACH_REMOUNT_PROC_SYS;
	const char *rargs[] = {"sh", "-c", "echo pid1 $(cat /proc/1/comm)", NULL};
	fflush(stdout);
	ret = c->attach_run_wait(c, &ro, "sh", rargs);
	printf("attach remount: %d\n", WIFEXITED(ret) ? WEXITSTATUS(ret) : -1);

	/* mount: golxc only (argv[3] is "-" under LXC, which needs a shared
	 * shmounts mount golxc does not) */
	pid_t init = c->init_pid(c);
	snprintf(path, sizeof(path), "/proc/%d/root/mnt/capi/marker", init);
	printf("mount without shmounts running: %d\n", c->mount(c, argv[3], "/mnt/capi", NULL, MS_BIND, NULL, &mnt));
	printf("umount not mounted: %d\n", c->umount(c, "/mnt/nothing", 0, &mnt));

	printf("stop: %d\n", c->stop(c));
	memset(&mo, 0, sizeof(mo));
	mo.directory = "/nonexistent/capi-ck";
	printf("migrate older struct: %d\n", c->migrate(c, MIGRATE_RESTORE, &mo, 8));
	printf("destroy: %d\n", c->destroy(c));
	lxc_container_put(c);
	return 0;
}
