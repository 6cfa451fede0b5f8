/* mount and umount on a defined, stopped container that has the shared
 * mount LXC 5.0.2 requires (lxc.mount.auto = shmounts:HOST): mount fails
 * with -1 (liblxc's child finds no init to join), umount with 1, and
 * nothing is left in the shared mount. argv: NAME LXCPATH SRCDIR
 * SHMOUNTS. Prints "key: value" lines, the same under LXC's liblxc and
 * golxc's. */
#include <dirent.h>
#include <stdio.h>
#include <sys/mount.h>

#include <lxc/lxccontainer.h>

static int entries(const char *dir)
{
	int n = 0;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		if (e->d_name[0] != '.' || (e->d_name[1] && (e->d_name[1] != '.' || e->d_name[2])))
			n++;
	closedir(d);
	return n;
}

int main(int argc, char *argv[])
{
	struct lxc_container *c;
	struct lxc_mount mnt = {.version = 0};
	char path[4096];

	if (argc != 5)
		return 2;
	c = lxc_container_new(argv[1], argv[2]);
	if (!c)
		return 1;
	printf("createl: %d\n", c->createl(c, "busybox", NULL, NULL, 0, NULL));
	printf("mount no shmounts: %d\n", c->mount(c, argv[3], "/mnt/capi", NULL, MS_BIND, NULL, &mnt));
	snprintf(path, sizeof(path), "shmounts:%s", argv[4]);
	printf("set shmounts: %d\n", c->set_config_item(c, "lxc.mount.auto", path));
	printf("mount stopped: %d\n", c->mount(c, argv[3], "/mnt/capi", NULL, MS_BIND, NULL, &mnt));
	printf("mount tmpfs stopped: %d\n", c->mount(c, "", "/mnt/capi", "tmpfs", 0, "size=1m", &mnt));
	printf("umount stopped: %d\n", c->umount(c, "/mnt/capi", 0, &mnt));
	printf("running: %d\n", c->is_running(c));
	printf("shmounts entries: %d\n", entries(argv[4]));
	printf("destroy: %d\n", c->destroy(c));
	lxc_container_put(c);
	return 0;
}
