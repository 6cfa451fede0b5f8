// The fork of an attach, entirely in C: a Go runtime cannot run in a
// forked child. The Go side (attach.go) has already resolved everything
// into a golxc_attach_plan. As lxc-attach: an intermediate child enters
// the container's cgroups and namespaces, then creates the attached
// process with CLONE_PARENT so it is the caller's child (the caller
// waitpid()s it), reports its pid and exits. The attached process drops
// privileges and runs the callback; its return value is its exit status.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capi.h"

#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static void die(const char *step)
{
	dprintf(2, "golxc: attach: %s: %s\n", step, strerror(errno)); /* no stdio locks after fork */
	_exit(255);
}

static int write_procs(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	int ok = write(fd, "0", 1) == 1;
	close(fd);
	return ok ? 0 : -1;
}

/* cgroup2's ".lxc" leaf may refuse us (threaded, domain invalid): then
 * the payload cgroup itself, as LXC falls back */
static void join_cgroups(char **procs)
{
	static const char leaf[] = "/.lxc/cgroup.procs";
	for (; procs && *procs; procs++) {
		if (write_procs(*procs) == 0)
			continue;
		size_t n = strlen(*procs), l = sizeof(leaf) - 1;
		if (n > l && strcmp(*procs + n - l, leaf) == 0) {
			char *parent = strdup(*procs);
			if (parent) {
				strcpy(parent + n - l, "/cgroup.procs");
				if (write_procs(parent) == 0)
					continue;
			}
		}
		die(*procs);
	}
}

static void apply_env(struct golxc_attach_plan *p)
{
	if (p->clear_env) {
		/* keep the listed variables: copy them before clearing */
		size_t n = 0;
		for (char **k = p->keep_env; k && *k; k++)
			n++;
		char **saved = calloc(n + 1, sizeof(char *));
		size_t i = 0;
		for (char **k = p->keep_env; saved && k && *k; k++) {
			char *v = getenv(*k);
			if (v && asprintf(&saved[i], "%s=%s", *k, v) >= 0)
				i++;
		}
		clearenv();
		for (size_t j = 0; saved && j < i; j++)
			putenv(saved[j]);
		if (!getenv("PATH"))
			setenv("PATH", DEFAULT_PATH, 1);
	}
	setenv("container", "lxc", 1);
	for (char **kv = p->set_env; kv && *kv; kv++) {
		char *eq = strchr(*kv, '=');
		if (eq)
			putenv(*kv);
		else
			unsetenv(*kv);
	}
}

static void drop_privileges(struct golxc_attach_plan *p)
{
	for (int cap = 0; cap <= p->last_cap && cap < 64; cap++)
		if ((p->cap_drop >> cap) & 1)
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
				die("drop capability");
	if (p->set_ids) {
		if (setgroups(p->ngroups, p->groups) < 0)
			die("setgroups");
		if (setgid(p->gid) < 0)
			die("setgid");
		if (setuid(p->uid) < 0)
			die("setuid");
	}
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		die("no_new_privs");
}

/* LXC_ATTACH_REMOUNT_PROC_SYS: the caller's mounts, with /proc and /sys
 * of the namespaces joined, in a mount namespace of our own */
static void remount_proc_sys(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		die("remount /proc and /sys: unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		die("remount /proc and /sys: make / a slave");
	if (umount2("/proc", MNT_DETACH) < 0)
		die("Failed to unmount /proc");
	if (mount("none", "/proc", "proc", 0, NULL) < 0)
		die("Failed to remount /proc");
	/* EINVAL: /sys was not a mount point; leave it */
	int ret = umount2("/sys", MNT_DETACH);
	if (ret < 0 && errno != EINVAL)
		die("Failed to unmount /sys");
	if (ret == 0 && mount("none", "/sys", "sysfs", 0, NULL) < 0)
		die("Failed to remount /sys");
}

static void attached(struct golxc_attach_plan *p, lxc_attach_exec_t fn, void *payload)
{
	if (p->remount_proc_sys)
		remount_proc_sys();
	for (int i = 0; i < 3; i++)
		if (p->fds[i] >= 0 && p->fds[i] != i && dup2(p->fds[i], i) < 0)
			die("std streams");
	if (p->pty_pts >= 0) {
		/* LXC's lxc_terminal_prepare_login: a session of our own with
		 * the pty as its controlling terminal, and the pty in place of
		 * each std stream that is a terminal (pipes and files stay).
		 * With none a terminal, the pty hangs up (SIGHUP) once the
		 * parent's proxy sees no slave open and closes its end. */
		if (setsid() < 0)
			die("setsid");
		if (ioctl(p->pty_pts, TIOCSCTTY, 0) < 0)
			die("make the pty the controlling terminal");
		for (int i = 0; i < 3; i++)
			if (isatty(i) && dup2(p->pty_pts, i) < 0)
				die("std streams to the pty");
		if (p->pty_pts > 2)
			close(p->pty_pts);
		close(p->pty_ptx);
	}
	if (!p->cwd || chdir(p->cwd) < 0)
		if (chdir("/") < 0)
			die("chdir /");
	if (p->personality >= 0 && personality((unsigned long)p->personality) < 0)
		die("personality");
	apply_env(p);
	drop_privileges(p);
	_exit(fn(payload));
}

int golxc_attach_fork(struct golxc_attach_plan *p, lxc_attach_exec_t fn, void *payload, pid_t *out)
{
	int sync[2], status;
	pid_t mid, pid = -1;

	if (pipe2(sync, O_CLOEXEC) < 0)
		return -1;
	mid = fork();
	if (mid < 0) {
		close(sync[0]);
		close(sync[1]);
		return -1;
	}
	if (mid == 0) {
		close(sync[0]);
		join_cgroups(p->cgroup_procs);
		for (int i = 0; i < p->ns_count; i++)
			if (setns(p->ns_fds[i], 0) < 0)
				die("setns");
		pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, 0, 0, 0, 0);
		if (pid == 0) {
			close(sync[1]);
			attached(p, fn, payload);
		}
		if (pid < 0)
			die("clone");
		if (write(sync[1], &pid, sizeof(pid)) != sizeof(pid))
			_exit(1);
		_exit(0);
	}
	close(sync[1]);
	if (read(sync[0], &pid, sizeof(pid)) != sizeof(pid))
		pid = -1;
	close(sync[0]);
	while (waitpid(mid, &status, 0) < 0 && errno == EINTR)
		;
	if (pid < 0)
		return -1;
	if (out)
		*out = pid;
	return 0;
}

/* The callbacks liblxc exports for attach. */
int lxc_attach_run_command(void *payload)
{
	lxc_attach_command_t *cmd = payload;
	execvp(cmd->program, cmd->argv);
	dprintf(2, "golxc: attach: failed to exec \"%s\": %s\n", cmd->program, strerror(errno));
	_exit(errno == ENOENT ? 127 : 126);
}

/* the user's login shell from the container's passwd, else /bin/sh */
int lxc_attach_run_shell(void *payload)
{
	(void)payload;
	struct passwd *pw = getpwuid(getuid());
	char *sh = pw && pw->pw_shell && *pw->pw_shell ? pw->pw_shell : "/bin/sh";
	if (access(sh, X_OK) < 0)
		sh = "/bin/sh";
	execlp(sh, sh, (char *)NULL);
	dprintf(2, "golxc: attach: failed to exec shell \"%s\": %s\n", sh, strerror(errno));
	_exit(255);
}
