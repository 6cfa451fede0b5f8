/* mount and umount on a running busybox container with the shared mount
 * LXC 5.0.2 requires (lxc.mount.auto = shmounts:HOST). argv: NAME
 * LXCPATH SRCDIR SHMOUNTS; SRCDIR holds a file "marker" saying "hi".
 * Prints "key: value" lines, the same under LXC's liblxc and golxc's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <lxc/lxccontainer.h>

#define TMPFS_MAGIC 0x01021994

static const char *content(const char *path)
{
	static char buf[64];
	FILE *f = fopen(path, "r");
	if (!f)
		return "(none)";
	if (!fgets(buf, sizeof(buf), f))
		strcpy(buf, "(empty)");
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

int main(int argc, char *argv[])
{
	struct lxc_container *c;
	struct lxc_mount mnt = {.version = 0};
	char root[256], path[4096], file[4096];
	struct statfs sf;
	FILE *f;

	if (argc != 5)
		return 2;
	c = lxc_container_new(argv[1], argv[2]);
	if (!c)
		return 1;
	printf("createl: %d\n", c->createl(c, "busybox", NULL, NULL, 0, NULL));
	c->clear_config_item(c, "lxc.net");
	snprintf(path, sizeof(path), "shmounts:%s", argv[4]);
	printf("set shmounts: %d\n", c->set_config_item(c, "lxc.mount.auto", path));
	printf("save_config: %d\n", c->save_config(c, NULL));
	printf("mount stopped: %d\n", c->mount(c, argv[3], "/mnt/capi", NULL, MS_BIND, NULL, &mnt));
	printf("umount stopped: %d\n", c->umount(c, "/mnt/capi", 0, &mnt));
	printf("start: %d\n", c->start(c, 0, NULL));
	printf("wait RUNNING: %d\n", c->wait(c, "RUNNING", 30));
	snprintf(root, sizeof(root), "/proc/%d/root", c->init_pid(c));

	printf("mount dir: %d\n", c->mount(c, argv[3], "/mnt/capi/dir", NULL, MS_BIND, NULL, &mnt));
	snprintf(path, sizeof(path), "%s/mnt/capi/dir/marker", root);
	printf("marker: %s\n", content(path));
	snprintf(file, sizeof(file), "%s/marker", argv[3]);
	printf("mount file: %d\n", c->mount(c, file, "/etc/capi-marker", NULL, MS_BIND, NULL, &mnt));
	snprintf(path, sizeof(path), "%s/etc/capi-marker", root);
	printf("file: %s\n", content(path));
	printf("mount tmpfs: %d\n", c->mount(c, "", "/mnt/capi/tmp", "tmpfs", 0, "size=1m", &mnt));
	snprintf(path, sizeof(path), "%s/mnt/capi/tmp", root);
	printf("tmpfs: %d\n", statfs(path, &sf) == 0 && sf.f_type == TMPFS_MAGIC);
	printf("mount missing source: %d\n", c->mount(c, "/nonexistent/capi", "/mnt/x", NULL, MS_BIND, NULL, &mnt));

	/* MS_BIND comes first in the kernel: the propagation and MS_MOVE
	 * bits beside it are ignored, the call is a plain bind */
	printf("mount bind rec private: %d\n", c->mount(c, argv[3], "/mnt/capi/priv", NULL, MS_BIND | MS_REC | MS_PRIVATE, NULL, &mnt));
	snprintf(path, sizeof(path), "%s/mnt/capi/priv/marker", root);
	printf("private marker: %s\n", content(path));
	printf("umount private: %d\n", c->umount(c, "/mnt/capi/priv", 0, &mnt));
	printf("mount bind shared move: %d\n", c->mount(c, argv[3], "/mnt/capi/shared", NULL, MS_BIND | MS_SHARED | MS_MOVE, NULL, &mnt));
	snprintf(path, sizeof(path), "%s/mnt/capi/shared/marker", root);
	printf("shared marker: %s\n", content(path));
	printf("umount shared: %d\n", c->umount(c, "/mnt/capi/shared", 0, &mnt));

	/* flags that act on existing mounts (remount; propagation or move
	 * without MS_BIND) fail as LXC's child's mount does, before anything
	 * is made */
	printf("mount MS_MOVE: %d\n", c->mount(c, argv[3], "/mnt/refused", NULL, MS_MOVE, NULL, &mnt));
	printf("mount MS_REMOUNT: %d\n", c->mount(c, argv[3], "/mnt/refused", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL, &mnt));
	printf("mount MS_SHARED: %d\n", c->mount(c, argv[3], "/mnt/refused", NULL, MS_SHARED, NULL, &mnt));
	printf("mount MS_PRIVATE: %d\n", c->mount(c, argv[3], "/mnt/refused", NULL, MS_PRIVATE | MS_REC, NULL, &mnt));
	printf("mount MS_SLAVE: %d\n", c->mount(c, argv[3], "/mnt/refused", NULL, MS_SLAVE, NULL, &mnt));
	printf("mount MS_UNBINDABLE: %d\n", c->mount(c, argv[3], "/mnt/refused", NULL, MS_UNBINDABLE, NULL, &mnt));
	snprintf(path, sizeof(path), "%s/mnt/refused", root);
	printf("refused target made: %d\n", access(path, F_OK) == 0);

	/* a target of the wrong type is replaced, as LXC does: a directory
	 * onto the container's file, a file onto an empty directory */
	snprintf(path, sizeof(path), "%s/etc/capi-wrong", root);
	f = fopen(path, "w");
	if (f) {
		fputs("gone\n", f);
		fclose(f);
	}
	printf("mount dir on file: %d\n", c->mount(c, argv[3], "/etc/capi-wrong", NULL, MS_BIND, NULL, &mnt));
	snprintf(path, sizeof(path), "%s/etc/capi-wrong/marker", root);
	printf("dir on file marker: %s\n", content(path));
	printf("umount dir on file: %d\n", c->umount(c, "/etc/capi-wrong", 0, &mnt));
	snprintf(path, sizeof(path), "%s/etc/capi-emptydir", root);
	mkdir(path, 0755);
	printf("mount file on empty dir: %d\n", c->mount(c, file, "/etc/capi-emptydir", NULL, MS_BIND, NULL, &mnt));
	printf("file on dir: %s\n", content(path));
	printf("umount file on dir: %d\n", c->umount(c, "/etc/capi-emptydir", 0, &mnt));

	/* a target of the right type is mounted onto: its contents, and its
	 * parent's, are there again after the umount */
	snprintf(path, sizeof(path), "%s/mnt/keep", root);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/mnt/keep/own", root);
	if ((f = fopen(path, "w"))) {
		fputs("own\n", f);
		fclose(f);
	}
	snprintf(path, sizeof(path), "%s/mnt/keep-sibling", root);
	if ((f = fopen(path, "w"))) {
		fputs("sibling\n", f);
		fclose(f);
	}
	printf("mount dir on dir: %d\n", c->mount(c, argv[3], "/mnt/keep", NULL, MS_BIND, NULL, &mnt));
	snprintf(path, sizeof(path), "%s/mnt/keep/marker", root);
	printf("dir on dir marker: %s\n", content(path));
	printf("umount dir on dir: %d\n", c->umount(c, "/mnt/keep", 0, &mnt));
	snprintf(path, sizeof(path), "%s/mnt/keep/own", root);
	printf("kept dir content: %s\n", content(path));
	snprintf(path, sizeof(path), "%s/mnt/keep-sibling", root);
	printf("kept sibling: %s\n", content(path));
	snprintf(path, sizeof(path), "%s/etc/capi-keep", root);
	if ((f = fopen(path, "w"))) {
		fputs("keep\n", f);
		fclose(f);
	}
	printf("mount file on file: %d\n", c->mount(c, file, "/etc/capi-keep", NULL, MS_BIND, NULL, &mnt));
	printf("file on file: %s\n", content(path));
	printf("umount file on file: %d\n", c->umount(c, "/etc/capi-keep", 0, &mnt));
	printf("kept file: %s\n", content(path));

	/* a file cannot replace a directory with files: the mount fails and
	 * the directory stays */
	printf("mount file on full dir: %d\n", c->mount(c, file, "/mnt/keep", NULL, MS_BIND, NULL, &mnt));
	snprintf(path, sizeof(path), "%s/mnt/keep/own", root);
	printf("full dir content: %s\n", content(path));

	printf("umount dir: %d\n", c->umount(c, "/mnt/capi/dir", 0, &mnt));
	snprintf(path, sizeof(path), "%s/mnt/capi/dir/marker", root);
	printf("marker after umount: %s\n", content(path));
	printf("umount again: %d\n", c->umount(c, "/mnt/capi/dir", 0, &mnt));
	printf("umount file: %d\n", c->umount(c, "/etc/capi-marker", MNT_DETACH, &mnt));
	printf("umount tmpfs: %d\n", c->umount(c, "/mnt/capi/tmp", 0, &mnt));
	snprintf(path, sizeof(path), "%s/mnt/capi/tmp", root);
	printf("tmpfs after umount: %d\n", statfs(path, &sf) == 0 && sf.f_type == TMPFS_MAGIC);

	printf("stop: %d\n", c->stop(c));
	printf("destroy: %d\n", c->destroy(c));
	lxc_container_put(c);
	return 0;
}
