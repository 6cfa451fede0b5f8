/*
 * Wire format of an exec plan, shared by execplan.c and execplan.go (which
 * checks these constants at compile time: change both together and bump
 * GOLXC_PLAN_VERSION).
 *
 * A plan is one SOCK_SEQPACKET packet: a header, then ops in the order
 * they run. Every field is native byte order; a string is a u32 length
 * (counting its NUL) followed by the bytes and the NUL; a string vector is
 * a u32 count followed by that many strings; bytes are a u32 length and
 * the bytes. Integers are u64. The packet may carry up to three fds
 * (SCM_RIGHTS): the process's new stdin, stdout and stderr.
 */
#ifndef GOLXC_EXECPLAN_H
#define GOLXC_EXECPLAN_H

#define GOLXC_PLAN_MAGIC 0x4e4c5047u /* "GPLN" little endian */
#define GOLXC_PLAN_VERSION 1
#define GOLXC_PLAN_MAX (16u << 20) /* bytes; a larger packet is refused */

/* header: u32 magic, u32 version, u32 op count; each op: u32 code, u32 payload length, payload */
#define GOLXC_PLAN_HDR 12
#define GOLXC_OP_HDR 8

enum golxc_op {
	GOLXC_OP_IDENT = 1,       /* str prefix, str name, u64 quiet, u64 logfd (-1 none), u64 loglevel */
	GOLXC_OP_STDIO = 2,       /* -: the packet's three fds become 0, 1, 2 */
	GOLXC_OP_REMOUNT = 3,     /* -: private mount ns with fresh /proc and /sys */
	GOLXC_OP_PERSONALITY = 4, /* u64 persona */
	GOLXC_OP_CHDIR = 5,       /* str dir: on failure "/" (LXC only warns) */
	GOLXC_OP_SETCTTY = 6,     /* u64 fd: TIOCSCTTY */
	GOLXC_OP_DROPCAPS = 7,    /* u64 n, n x (u64 cap, str name): drop from the bounding set, in order */
	GOLXC_OP_SECCOMP = 8,     /* u64 allow nesting, str source, bytes sock_filter[] */
	GOLXC_OP_SETIDS = 9,      /* u64 uid, u64 gid, u64 n, n x u64 groups */
	GOLXC_OP_NODUMP = 10,     /* -: PR_SET_DUMPABLE 0 */
	GOLXC_OP_NONEWPRIVS = 11, /* -: PR_SET_NO_NEW_PRIVS 1 */
	GOLXC_OP_CLOEXEC = 12,    /* u64 lowfd: every fd from lowfd up is closed by the exec */
	GOLXC_OP_EXEC = 13,       /* strv argv (empty: uid's shell), strv env, u64 uid, str default PATH */
};

#endif
