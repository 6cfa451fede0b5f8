/*
 * main's arguments for the constructors (mainargs.c says how they are
 * found): cheapstart.c, hibernate.c, prefork.c and sandboxguard.c read
 * them here instead of from their own parameters, which only glibc fills.
 */
#ifndef GOLXC_MAINARGS_H
#define GOLXC_MAINARGS_H

struct golxc_main_args {
	int argc;    /* 0 when unknown (argv NULL then) */
	char **argv; /* the initial stack's array, NULL-terminated */
	char **envp; /* the environment main gets (environ if unknown) */
};

/* The same struct for every caller; valid from the first constructor on. */
const struct golxc_main_args *golxc_main_args(void);

#endif
