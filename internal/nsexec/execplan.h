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
#define GOLXC_PLAN_VERSION 2
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
	GOLXC_OP_SETIDS = 9,      /* u64 uid, u64 gid, u64 n, n x u64 groups, u64 strict (EPERM from setgroups fails) */
	GOLXC_OP_NODUMP = 10,     /* -: PR_SET_DUMPABLE 0 */
	GOLXC_OP_NONEWPRIVS = 11, /* -: PR_SET_NO_NEW_PRIVS 1 */
	GOLXC_OP_CLOEXEC = 12,    /* u64 lowfd: every fd from lowfd up is closed by the exec */
	GOLXC_OP_EXEC = 13,       /* strv argv (empty: uid's shell), strv env, u64 uid, str default PATH */

	/*
	 * The container init stage (initplan.c). "In root" paths are relative
	 * to the root opened by OPENROOT and resolved without leaving it (see
	 * initplan.c, in_root); create is 0 none, 1 dir (mkdir -p), 2 file.
	 * Every str err* is the prefix of that step's error line.
	 */
	GOLXC_OP_MOUNT_HOST = 14, /* str err, str log ("": a generic line), str src, str dst, str fstype, u64 flags, str data: host paths */
	GOLXC_OP_OPENROOT = 15,   /* str path, str err: the root of every "in root" path */
	GOLXC_OP_MOUNT_IN = 16,   /* str srcerr, u64 srcmode (0 as is, 1 in root, 2 in root, no symlinks), str src,
				     str dsterr, str dst, u64 create, u64 nosymlinks, str fstype, u64 flags, str data,
				     str mounterr, u64 skip (a missing src or dst is skipped), str log ("": a generic line) */
	GOLXC_OP_UMOUNT_IN = 17,  /* str path, u64 nosymlinks, str err ("": failures ignored) */
	GOLXC_OP_MKDIR_IN = 18,   /* str path, u64 nosymlinks, str err */
	GOLXC_OP_ENTRY = 19,      /* str label, str source, str target, str rel, u64 relative, u64 checksrc, str fstype,
				     u64 flags, str data, u64 create, u64 optional, u64 nosymlinks, u64 remount,
				     u64 clearflags, u64 propagation: one lxc.mount.entry */
	GOLXC_OP_AUTODEV = 20,    /* u64 n, n x (str name, u64 major, u64 minor): nodes in /dev, else host binds */
	GOLXC_OP_CHMOD_HOST = 21, /* str path, u64 mode, str err */
	GOLXC_OP_DEVPTS = 22,     /* u64 max, u64 ttys, str ttydir, u64 bind ttys, u64 keep mount (ptmx) */
	GOLXC_OP_DEVLINKS = 23,   /* -: /dev/fd, stdin, stdout, stderr */
	GOLXC_OP_PIVOT = 24,      /* str name (for messages): pivot_root into the root */
	GOLXC_OP_SENDTTYS = 25,   /* -: {"TTYs":n} + the tty masters, 16 per packet */
	GOLXC_OP_READY = 26,      /* -: {"Ready":true}, then wait for {"Go":true} */
	GOLXC_OP_HOSTNAME = 27,   /* str name */
	GOLXC_OP_SYSCTLS = 28,    /* u64 n, n x (str key, str path, str value) */
	GOLXC_OP_RLIMITS = 29,    /* u64 n, n x (str name, u64 resource, u64 soft, u64 hard) */
	GOLXC_OP_CWD = 30,        /* str dir: a failure is an error */
	GOLXC_OP_CAPRESTRICT = 31,/* u64 kept: effective, permitted, inheritable within kept; ambient cleared */
	GOLXC_OP_INITEXEC = 32,   /* strv argv, strv env, str default PATH, u64 supervise (lxc-execute's PID 1) */
	GOLXC_OP_FAIL = 33,       /* str msg */
	GOLXC_OP_HOOK = 34,       /* str type, str value, str errprefix, strv argv, strv env, str dir: run, wait, log */
};

#endif
