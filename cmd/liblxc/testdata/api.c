/* The rest of the C API a program uses besides seed 003's example:
 * attach with a C callback, attach_run_wait(l), config items, keys,
 * get_ips, lists, error reporting. argv: NAME LXCPATH ADDRESS/PREFIX.
 * Prints "key: value" lines. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lxc/lxccontainer.h>

static int in_container(void *payload)
{
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	printf("callback: %s %s pid1=%d\n", (char *)payload, host, getpid() == 1);
	fflush(stdout);
	return 7;
}

int main(int argc, char *argv[])
{
	struct lxc_container *c;
	char buf[4096];
	int n, status;
	pid_t pid;

	if (argc != 4)
		return 2;
	c = lxc_container_new(argv[1], argv[2]);
	if (!c)
		return 1;
	printf("get_config_path: %d\n", strcmp(c->get_config_path(c), argv[2]) == 0);
	printf("createl: %d\n", c->createl(c, "busybox", NULL, NULL, 0, NULL));
	printf("set_config_item: %d\n", c->set_config_item(c, "lxc.net.0.ipv4.address", argv[3]));
	printf("set bad key: %d\n", c->set_config_item(c, "lxc.bad.key", "1"));
	printf("save_config: %d\n", c->save_config(c, NULL));
	n = c->get_config_item(c, "lxc.net.0.ipv4.address", NULL, 0);
	printf("get_config_item len: %d\n", n == (int)strlen(argv[3]));
	c->get_config_item(c, "lxc.net.0.ipv4.address", buf, sizeof(buf));
	printf("get_config_item: %s\n", buf);
	n = c->get_keys(c, "lxc.net.0", buf, sizeof(buf));
	printf("get_keys lists ipv4.address: %d\n", n > 0 && strstr(buf, "ipv4.address") != NULL);
	printf("want_daemonize: %d\n", c->want_daemonize(c, true));
	printf("startl: %d\n", c->startl(c, 0, NULL));
	printf("wait RUNNING: %d\n", c->wait(c, "RUNNING", 10));
	printf("is_running: %d\n", c->is_running(c));
	char *uts = c->get_running_config_item(c, "lxc.uts.name");
	printf("get_running_config_item: %s\n", uts ? uts : "(null)");
	free(uts);
	int pidfd = c->init_pidfd(c);
	printf("init_pidfd: %d\n", pidfd >= 0);
	if (pidfd >= 0)
		close(pidfd);

	char **ips = c->get_ips(c, NULL, "inet", 0);
	/* which address is racy: busybox's init may get a DHCP lease */
	printf("get_ips: %s\n", ips && ips[0] ? "found" : "(none)");
	for (char **p = ips; p && *p; p++)
		free(*p);
	free(ips);

	lxc_attach_options_t opts = LXC_ATTACH_OPTIONS_DEFAULT;
	fflush(stdout); /* the child must not inherit buffered lines */
	if (c->attach(c, in_container, "hello", &opts, &pid) < 0)
		return 1;
	waitpid(pid, &status, 0);
	printf("attach callback exit: %d\n", WEXITSTATUS(status));
	status = c->attach_run_waitl(c, &opts, "sh", "sh", "-c", "exit 3", NULL);
	printf("attach_run_waitl: %d\n", WEXITSTATUS(status));
	const char *args[] = {"true", NULL};
	printf("attach_run_wait: %d\n", c->attach_run_wait(c, NULL, "true", args));

	char **names = NULL;
	struct lxc_container **cs = NULL;
	n = list_active_containers(argv[2], &names, &cs);
	printf("active: %d %s %s\n", n, n > 0 ? names[0] : "-", n > 0 ? cs[0]->name : "-");
	for (int i = 0; i < n; i++) {
		free(names[i]);
		lxc_container_put(cs[i]);
	}
	free(names);
	free(cs);

	printf("clone stub: %d\n", c->clone(c, "x", NULL, 0, NULL, NULL, 0, NULL) == NULL);
	printf("stop: %d\n", c->stop(c));
	printf("state: %s\n", c->state(c));
	printf("init_pidfd stopped: %d\n", c->init_pidfd(c) < 0);
	printf("destroy: %d\n", c->destroy(c));
	printf("put: %d\n", lxc_container_put(c));
	return 0;
}
