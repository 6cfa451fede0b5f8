/* LXC_ATTACH_TERMINAL: the attached command's streams are a pty of the
 * container, proxied to the caller's controlling terminal and copied to
 * log_fd. Run under script(1): the streams must be terminals.
 * argv: NAME LXCPATH LOGFILE. Prints "key: value" lines. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <lxc/lxccontainer.h>

int main(int argc, char *argv[])
{
	static char buf[4096];
	struct lxc_container *c;

	if (argc != 4)
		return 2;
	c = lxc_container_new(argv[1], argv[2]);
	if (!c)
		return 1;
	printf("createl: %d\n", c->createl(c, "busybox", NULL, NULL, 0, NULL));
	c->clear_config_item(c, "lxc.net");
	printf("start: %d\n", c->start(c, 0, NULL));
	printf("wait RUNNING: %d\n", c->wait(c, "RUNNING", 30));

	lxc_attach_options_t ao = LXC_ATTACH_OPTIONS_DEFAULT;
	ao.attach_flags |= LXC_ATTACH_TERMINAL;
	ao.log_fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	const char *args[] = {"sh", "-c", "tty; test -t 0 && test -t 2 && echo streams-are-ttys; exit 5", NULL};
	fflush(stdout);
	int ret = c->attach_run_wait(c, &ao, "sh", args);
	/* liblxc closes log_fd: read the file again */
	int fd = open(argv[3], O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	buf[n > 0 ? n : 0] = 0;
	printf("attach terminal: %d\n", WIFEXITED(ret) ? WEXITSTATUS(ret) : -1);
	printf("log has pts: %d\n", strstr(buf, "/dev/pts/") != NULL);
	printf("log has ttys: %d\n", strstr(buf, "streams-are-ttys") != NULL);

	printf("stop: %d\n", c->stop(c));
	printf("destroy: %d\n", c->destroy(c));
	lxc_container_put(c);
	return 0;
}
