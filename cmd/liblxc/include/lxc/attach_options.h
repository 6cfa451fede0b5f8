/*
 * golxc's <lxc/attach_options.h>: the attach part of LXC 5.0.2's C API
 * (struct lxc_container's attach, attach_run_wait), written for golxc.
 * Types, layouts and values are the ABI; cmd/liblxc's layout test compares
 * them with Debian's lxc-dev headers.
 */
#ifndef GOLXC_LXC_ATTACH_OPTIONS_H
#define GOLXC_LXC_ATTACH_OPTIONS_H

#include <errno.h>
#include <stddef.h>
#include <sys/types.h>

#ifdef __cplusplus
extern "C" {
#endif

/* env_policy: what the attached process keeps of the caller's environment */
typedef enum lxc_attach_env_policy_t {
	LXC_ATTACH_KEEP_ENV = 0,
	LXC_ATTACH_CLEAR_ENV = 1,
} lxc_attach_env_policy_t;
#define LXC_ATTACH_KEEP_ENV LXC_ATTACH_KEEP_ENV
#define LXC_ATTACH_CLEAR_ENV LXC_ATTACH_CLEAR_ENV

/* attach_flags */
enum {
	LXC_ATTACH_MOVE_TO_CGROUP = 0x00000001,
	LXC_ATTACH_DROP_CAPABILITIES = 0x00000002,
	LXC_ATTACH_SET_PERSONALITY = 0x00000004,
	LXC_ATTACH_LSM_EXEC = 0x00000008,
	LXC_ATTACH_REMOUNT_PROC_SYS = 0x00010000,
	LXC_ATTACH_LSM_NOW = 0x00020000,
	LXC_ATTACH_NO_NEW_PRIVS = 0x00040000,
	LXC_ATTACH_TERMINAL = 0x00080000,
	LXC_ATTACH_LSM_LABEL = 0x00100000,
	LXC_ATTACH_SETGROUPS = 0x00200000,
	LXC_ATTACH_DEFAULT = 0x0000FFFF, /* the flags below 0x10000 */
};
#define LXC_ATTACH_MOVE_TO_CGROUP LXC_ATTACH_MOVE_TO_CGROUP
#define LXC_ATTACH_DROP_CAPABILITIES LXC_ATTACH_DROP_CAPABILITIES
#define LXC_ATTACH_SET_PERSONALITY LXC_ATTACH_SET_PERSONALITY
#define LXC_ATTACH_LSM_EXEC LXC_ATTACH_LSM_EXEC
#define LXC_ATTACH_REMOUNT_PROC_SYS LXC_ATTACH_REMOUNT_PROC_SYS
#define LXC_ATTACH_LSM_NOW LXC_ATTACH_LSM_NOW
#define LXC_ATTACH_NO_NEW_PRIVS LXC_ATTACH_NO_NEW_PRIVS
#define LXC_ATTACH_TERMINAL LXC_ATTACH_TERMINAL
#define LXC_ATTACH_LSM_LABEL LXC_ATTACH_LSM_LABEL
#define LXC_ATTACH_SETGROUPS LXC_ATTACH_SETGROUPS
#define LXC_ATTACH_DEFAULT LXC_ATTACH_DEFAULT
#define LXC_ATTACH_LSM (LXC_ATTACH_LSM_EXEC | LXC_ATTACH_LSM_NOW | LXC_ATTACH_LSM_LABEL)

/* the function attach runs in the container; its return value is the
 * attached process's exit status */
typedef int (*lxc_attach_exec_t)(void *payload);

typedef struct lxc_groups_t {
	size_t size;
	gid_t *list;
} lxc_groups_t;

/* personality: the container's (lxc.arch) */
#define LXC_ATTACH_DETECT_PERSONALITY ~0L

typedef struct lxc_attach_options_t {
	int attach_flags;     /* LXC_ATTACH_* */
	int namespaces;       /* CLONE_NEW* to join; -1: all the container's */
	long personality;     /* LXC_ATTACH_DETECT_PERSONALITY or a personality(2) value */
	char *initial_cwd;    /* NULL: the current directory if it exists there, else / */
	uid_t uid;            /* (uid_t)-1: lxc.init.uid or 0 */
	gid_t gid;            /* (gid_t)-1: lxc.init.gid or 0 */
	lxc_attach_env_policy_t env_policy;
	char **extra_env_vars; /* NULL-terminated VAR=VALUE list set in the process */
	char **extra_keep_env; /* names kept under LXC_ATTACH_CLEAR_ENV */
	int stdin_fd;
	int stdout_fd;
	int stderr_fd;
	int log_fd;           /* where LXC_ATTACH_TERMINAL's output is copied too */
	char *lsm_label;      /* LXC_ATTACH_LSM_LABEL */
	lxc_groups_t groups;  /* LXC_ATTACH_SETGROUPS */
} lxc_attach_options_t;

#define LXC_ATTACH_OPTIONS_DEFAULT                                                                            \
	{                                                                                                     \
		.attach_flags = LXC_ATTACH_DEFAULT, .namespaces = -1,                                          \
		.personality = LXC_ATTACH_DETECT_PERSONALITY, .initial_cwd = NULL, .uid = (uid_t)-1,          \
		.gid = (gid_t)-1, .env_policy = LXC_ATTACH_KEEP_ENV, .extra_env_vars = NULL,                  \
		.extra_keep_env = NULL, .stdin_fd = 0, .stdout_fd = 1, .stderr_fd = 2, .log_fd = -EBADF,       \
		.lsm_label = NULL, .groups = {0, NULL},                                                        \
	}

/* for lxc_attach_run_command: execvp(program, argv) */
typedef struct lxc_attach_command_t {
	char *program;
	char **argv;
} lxc_attach_command_t;

/* ready-made exec functions: payload is a lxc_attach_command_t; the
 * shell is the user's login shell in the container, or /bin/sh */
extern int lxc_attach_run_command(void *payload);
extern int lxc_attach_run_shell(void *payload);

#ifdef __cplusplus
}
#endif

#endif
