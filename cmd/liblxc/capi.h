/*
 * golxc's C API, the library's side: LXC 5.0.2's public types come from
 * golxc's own headers (include/lxc, installed for programs; layout.c
 * checks every offset and value against the installed lxc-dev headers);
 * here are what the library keeps behind them and its internal calls.
 */
#ifndef GOLXC_CAPI_H
#define GOLXC_CAPI_H

#include "include/lxc/lxccontainer.h"

typedef struct lxc_container lxc_c;

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

bool golxc_install_methods(struct lxc_container *c);
int golxc_attach_fork(struct golxc_attach_plan *plan, lxc_attach_exec_t fn, void *payload, pid_t *out);
char **golxc_strv_new(int n);
void golxc_snapshot_init(struct lxc_snapshot *s);

#endif
