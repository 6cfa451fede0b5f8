/*
 * Wire format shared by nsexec.c and bootstrap.go. bootstrap.go asserts at
 * compile time that its constants match these, so change both together and
 * bump GOLXC_BOOTSTRAP_VERSION.
 */
#ifndef GOLXC_NSEXEC_H
#define GOLXC_NSEXEC_H

#include <stdint.h>

#define GOLXC_BOOTSTRAP_MAGIC 0x43584c47u /* "GLXC" little endian */
#define GOLXC_BOOTSTRAP_VERSION 3

#define GOLXC_MODE_CREATE 1
#define GOLXC_MODE_JOIN 2

#define GOLXC_OPT_SETSID 1u  /* final process calls setsid() */
#define GOLXC_OPT_PREPARE 2u /* pause for the parent's 'P' step */
#define GOLXC_OPT_NARROWCAPS 4u /* final process: limit every capability set to capkeep */
#define GOLXC_OPT_NONEWPRIVS 8u /* final process: no_new_privs, on every future thread */
#define GOLXC_OPT_EXECPLAN 16u /* final process: run the exec plan it receives (execplan.c), never Go */
#define GOLXC_OPT_DUMPABLE 32u /* final process stays dumpable: a user's container init, which its owner must reach (setns(pidfd) checks ptrace access) */

#define GOLXC_MAX_SHARE 8 /* one slot per namespace type */

/* create: a namespace to setns() into instead of unsharing it */
struct golxc_share {
	uint32_t nstype; /* exactly one CLONE_NEW* flag */
	int32_t fd;      /* inherited /proc/PID/ns/<name> fd, closed by the stage */
};

/* One fixed-size, length-prefixed message in native byte order. */
struct golxc_bootstrap {
	uint32_t size;      /* sizeof(struct golxc_bootstrap): the length prefix */
	uint32_t magic;     /* GOLXC_BOOTSTRAP_MAGIC */
	uint32_t version;   /* GOLXC_BOOTSTRAP_VERSION */
	uint32_t mode;      /* GOLXC_MODE_* */
	uint64_t nsflags;   /* CLONE_NEW* to unshare (create) or join (join) */
	uint32_t opts;      /* GOLXC_OPT_* */
	int32_t join_pid;   /* join: target pid */
	int32_t pidfd;      /* join: pidfd of join_pid, or -1 */
	int32_t exefd;      /* inherited sealed-exe fd to close, or -1 */
	int32_t pdeathsig;  /* final process: PR_SET_PDEATHSIG, or 0 */
	uint32_t nshare;    /* create: entries used in share[] */
	struct golxc_share share[GOLXC_MAX_SHARE];
	uint64_t capkeep; /* GOLXC_OPT_NARROWCAPS: capabilities kept (bit N = cap N) */
};

#define GOLXC_BOOTSTRAP_SIZE 120

extern int golxc_nsexec_mode;   /* 0 unless this process is a stage */
extern int golxc_nsexec_syncfd; /* sync socket of the stage, or -1 */

void golxc_execplan(int syncfd) __attribute__((noreturn));

#endif
