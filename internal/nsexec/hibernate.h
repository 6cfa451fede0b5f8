/* The hibernating monitor's answer table (hibernate.c; written by
 * hibernate.go, see doc.go, Hibernation). Native byte order. */
#ifndef GOLXC_HIBERNATE_H
#define GOLXC_HIBERNATE_H

#include <stdint.h>

#define GOLXC_HIB_MAGIC 0x484c5847u /* "GXLH" */
#define GOLXC_HIB_VERSION 1
#define GOLXC_HIB_HEADER_SIZE 64
#define GOLXC_HIB_ENTRY_SIZE 24
#define GOLXC_HIB_KEY_HEADER 16 /* cmd, datalen, value */
#define GOLXC_HIB_BATCH 0x474c5842 /* cmdsock.Batch */
#define GOLXC_HIB_DATA_MAX 8192    /* LXC_CMD_DATA_MAX */
#define GOLXC_HIB_BATCH_MAX 32
#define GOLXC_HIB_BATCH_KEY 0x4843544142LL /* value slot of a batched query's key */

struct golxc_hib_header {
	uint32_t magic;
	uint32_t version;
	uint32_t size; /* of the whole table */
	uint32_t entries;
	int32_t listen_fd; /* the command socket, listening */
	int32_t pidfd;     /* init's: readable when it exits */
	int32_t console_fd; /* console master to watch (-1: none) */
	int32_t state_fd;  /* handed to the Go monitor on wake */
	uint32_t uid, gid; /* who may ask besides root */
	char comm[16];     /* the process's comm (PR_SET_NAME) */
	uint32_t guards;   /* guard records after the header */
	uint32_t pad;
};

/* A guard: while the file fd names (O_PATH; reopened through /proc/self/fd
 * and read from offset 0) holds exactly these
 * bytes the table's answers are true (the freezer says thawed); otherwise
 * every request goes to the Go monitor. Followed by the bytes, the record
 * padded to 8. */
struct golxc_hib_guard {
	int32_t fd;
	uint32_t len;
};
#define GOLXC_HIB_GUARD_SIZE 8
#define GOLXC_HIB_GUARD_MAX 256

/* Followed by its key (cmd i32, datalen i32, value i64, data) and its
 * reply data, the entry padded to 8 bytes. */
struct golxc_hib_entry {
	uint32_t keylen;
	uint32_t datalen;
	int32_t ret;
	int32_t fd; /* sent with the reply (SCM_RIGHTS), -1: none */
	int64_t value;
};

#endif
