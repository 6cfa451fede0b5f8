/*
 * golxc's C API: the data types of LXC 5.0.2's public API (lxccontainer.h,
 * attach_options.h), written for golxc. Only the memory layout must match
 * LXC's: field order and types are the ABI that Debian's python3-lxc and
 * programs built against lxc-dev were compiled with. layout_test.c checks
 * every offset against the installed lxc-dev headers.
 */
#ifndef GOLXC_CAPI_H
#define GOLXC_CAPI_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

typedef int (*lxc_attach_exec_t)(void *payload);

typedef struct lxc_groups_t {
	size_t size;
	gid_t *list;
} lxc_groups_t;

typedef struct lxc_attach_options_t {
	int attach_flags;
	int namespaces;
	long personality;
	char *initial_cwd;
	uid_t uid;
	gid_t gid;
	int env_policy; /* 0 keep, 1 clear */
	char **extra_env_vars;
	char **extra_keep_env;
	int stdin_fd;
	int stdout_fd;
	int stderr_fd;
	int log_fd;
	char *lsm_label;
	lxc_groups_t groups;
} lxc_attach_options_t;

typedef struct lxc_attach_command_t {
	char *program;
	char **argv;
} lxc_attach_command_t;

struct bdev_specs;

struct lxc_snapshot {
	char *name;
	char *comment_pathname;
	char *timestamp;
	char *lxcpath;
	void (*free)(struct lxc_snapshot *s);
};

struct lxc_lock;
struct lxc_conf;
struct migrate_opts {
	char *directory;
	bool verbose;
	bool stop;
	char *predump_dir;
	char *pageserver_address;
	char *pageserver_port;
	bool preserves_inodes;
	char *action_script;
	bool disable_skip_in_flight;
	uint64_t ghost_limit;
	uint64_t features_to_check;
};

enum { MIGRATE_PRE_DUMP, MIGRATE_DUMP, MIGRATE_RESTORE, MIGRATE_FEATURE_CHECK };
#define FEATURE_MEM_TRACK (1ULL << 0)
#define FEATURE_LAZY_PAGES (1ULL << 1)

struct lxc_console_log {
	bool clear;
	bool read;
	uint64_t *read_max;
	char *data;
};

struct lxc_mount {
	int version;
};

typedef struct lxc_container lxc_c;

struct lxc_container {
	char *name;
	char *configfile;
	char *pidfile;
	struct lxc_lock *slock;
	struct lxc_lock *privlock;
	int numthreads;
	struct lxc_conf *lxc_conf;
	char *error_string;
	int error_num;
	bool daemonize;
	char *config_path;

	bool (*is_defined)(lxc_c *c);
	const char *(*state)(lxc_c *c);
	bool (*is_running)(lxc_c *c);
	bool (*freeze)(lxc_c *c);
	bool (*unfreeze)(lxc_c *c);
	pid_t (*init_pid)(lxc_c *c);
	bool (*load_config)(lxc_c *c, const char *alt_file);
	bool (*start)(lxc_c *c, int useinit, char *const argv[]);
	bool (*startl)(lxc_c *c, int useinit, ...);
	bool (*stop)(lxc_c *c);
	bool (*want_daemonize)(lxc_c *c, bool state);
	bool (*want_close_all_fds)(lxc_c *c, bool state);
	char *(*config_file_name)(lxc_c *c);
	bool (*wait)(lxc_c *c, const char *state, int timeout);
	bool (*set_config_item)(lxc_c *c, const char *key, const char *value);
	bool (*destroy)(lxc_c *c);
	bool (*save_config)(lxc_c *c, const char *alt_file);
	bool (*create)(lxc_c *c, const char *t, const char *bdevtype, struct bdev_specs *specs, int flags, char *const argv[]);
	bool (*createl)(lxc_c *c, const char *t, const char *bdevtype, struct bdev_specs *specs, int flags, ...);
	bool (*rename)(lxc_c *c, const char *newname);
	bool (*reboot)(lxc_c *c);
	bool (*shutdown)(lxc_c *c, int timeout);
	void (*clear_config)(lxc_c *c);
	bool (*clear_config_item)(lxc_c *c, const char *key);
	int (*get_config_item)(lxc_c *c, const char *key, char *retv, int inlen);
	char *(*get_running_config_item)(lxc_c *c, const char *key);
	int (*get_keys)(lxc_c *c, const char *key, char *retv, int inlen);
	char **(*get_interfaces)(lxc_c *c);
	char **(*get_ips)(lxc_c *c, const char *interface, const char *family, int scope);
	int (*get_cgroup_item)(lxc_c *c, const char *subsys, char *retv, int inlen);
	bool (*set_cgroup_item)(lxc_c *c, const char *subsys, const char *value);
	const char *(*get_config_path)(lxc_c *c);
	bool (*set_config_path)(lxc_c *c, const char *path);
	lxc_c *(*clone)(lxc_c *c, const char *newname, const char *lxcpath, int flags, const char *bdevtype,
			const char *bdevdata, uint64_t newsize, char **hookargs);
	int (*console_getfd)(lxc_c *c, int *ttynum, int *ptxfd);
	int (*console)(lxc_c *c, int ttynum, int stdinfd, int stdoutfd, int stderrfd, int escape);
	int (*attach)(lxc_c *c, lxc_attach_exec_t exec_function, void *exec_payload,
		      lxc_attach_options_t *options, pid_t *attached_process);
	int (*attach_run_wait)(lxc_c *c, lxc_attach_options_t *options, const char *program, const char *const argv[]);
	int (*attach_run_waitl)(lxc_c *c, lxc_attach_options_t *options, const char *program, const char *arg, ...);
	int (*snapshot)(lxc_c *c, const char *commentfile);
	int (*snapshot_list)(lxc_c *c, struct lxc_snapshot **snapshots);
	bool (*snapshot_restore)(lxc_c *c, const char *snapname, const char *newname);
	bool (*snapshot_destroy)(lxc_c *c, const char *snapname);
	bool (*may_control)(lxc_c *c);
	bool (*add_device_node)(lxc_c *c, const char *src_path, const char *dest_path);
	bool (*remove_device_node)(lxc_c *c, const char *src_path, const char *dest_path);
	bool (*attach_interface)(lxc_c *c, const char *dev, const char *dst_dev);
	bool (*detach_interface)(lxc_c *c, const char *dev, const char *dst_dev);
	bool (*checkpoint)(lxc_c *c, char *directory, bool stop, bool verbose);
	bool (*restore)(lxc_c *c, char *directory, bool verbose);
	bool (*destroy_with_snapshots)(lxc_c *c);
	bool (*snapshot_destroy_all)(lxc_c *c);
	int (*migrate)(lxc_c *c, unsigned int cmd, struct migrate_opts *opts, unsigned int size);
	int (*console_log)(lxc_c *c, struct lxc_console_log *log);
	bool (*reboot2)(lxc_c *c, int timeout);
	int (*mount)(lxc_c *c, const char *source, const char *target, const char *filesystemtype,
		     unsigned long mountflags, const void *data, struct lxc_mount *mnt);
	int (*umount)(lxc_c *c, const char *target, unsigned long mountflags, struct lxc_mount *mnt);
	int (*seccomp_notify_fd)(lxc_c *c);
	int (*seccomp_notify_fd_active)(lxc_c *c);
	int (*init_pidfd)(lxc_c *c);
	int (*devpts_fd)(lxc_c *c);
};

struct lxc_log {
	const char *name;
	const char *lxcpath;
	const char *file;
	const char *level;
	const char *prefix;
	bool quiet;
};

/*
 * What the attach child does, computed by the Go side (plan.go) before the
 * fork: the child runs only this C, never Go.
 */
struct golxc_attach_plan {
	int ns_fds[8];        /* open /proc/PID/ns/<x>, in join order; -1 ends */
	int ns_count;
	char **cgroup_procs;  /* cgroup.procs files to join; NULL-terminated */
	uint64_t cap_drop;    /* bounding-set capabilities to drop */
	int last_cap;
	long personality;     /* -1: leave */
	uid_t uid;
	gid_t gid;
	bool set_ids;
	gid_t *groups;        /* supplementary groups (set with the ids) */
	size_t ngroups;
	bool no_new_privs;
	char *cwd;            /* NULL: / */
	bool clear_env;       /* start from nothing but keep_env and PATH */
	char **keep_env;      /* names kept under clear_env */
	char **set_env;       /* VAR=VALUE set last, VAR unsets */
	int fds[3];
	bool remount_proc_sys; /* private mount ns with fresh /proc and /sys */
	int pty_ptx;          /* LXC_ATTACH_TERMINAL: the parent's side, else -1 */
	int pty_pts;          /* the child's std streams and controlling tty */
};

/* The library's handle around LXC's struct: pub must stay first. */
struct golxc_container {
	struct lxc_container pub;
	uintptr_t handle; /* cgo.Handle of the Go *lxc.Container */
	int refs;         /* lxc_container_get/put */
};

struct lxc_container *lxc_container_new(const char *name, const char *configpath);
bool golxc_install_methods(struct lxc_container *c);
int golxc_attach_fork(struct golxc_attach_plan *plan, lxc_attach_exec_t fn, void *payload, pid_t *out);
char **golxc_strv_new(int n);
void golxc_snapshot_init(struct lxc_snapshot *s);

#endif
