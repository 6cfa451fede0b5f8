/*
 * What execplan.c shares with the other op files of the executor
 * (initplan.c): the payload reader, the log line, the fatal error and the
 * PATH lookup. Internal to the executor.
 */
#ifndef GOLXC_PLANRT_H
#define GOLXC_PLANRT_H

#include <stdint.h>

/* A reader over one op's payload; a malformed plan is a golxc bug. */
struct rd {
	const unsigned char *p, *end;
};

enum { TRACE, DEBUG, INFO, NOTICE, WARN, ERROR };

void xp_log(int lvl, const char *file, const char *fn, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
#define LOG(lvl, ...) xp_log(lvl, __FILE__, __func__, __LINE__, __VA_ARGS__)

/* xp_die logs msg and reports it (see execplan.c); never returns. */
void xp_die(int code, const char *fmt, ...) __attribute__((noreturn, format(printf, 2, 3)));
void xp_malformed(const char *what) __attribute__((noreturn));

uint32_t xp_u32(struct rd *r);
uint64_t xp_u64(struct rd *r);
const void *xp_bytes(struct rd *r, uint32_t *len);
const char *xp_str(struct rd *r);
char **xp_strv(struct rd *r);

char *xp_lookpath(const char *name, const char *path);
void xp_cloexec_from(int low);

/* The container name IDENT gave, for messages. */
const char *xp_name(void);

/* The sync socket, for the ops that talk to the caller mid-plan. */
extern int xp_syncfd;

/* initplan.c: runs one init-stage op; 0 when code is not one of them. */
int xp_init_op(uint32_t code, struct rd *op);

#endif
