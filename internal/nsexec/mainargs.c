/*
 * main's argc, argv and environment for the constructors, whatever the C
 * library.
 *
 * glibc calls every constructor as f(argc, argv, envp); one constructor at
 * the first user priority (101 runs before the unnumbered ones, in any
 * object) keeps them. Other C libraries (musl, which golxc's own binary is
 * linked with where musl-gcc exists) call constructors without arguments.
 * There they are found from environ, which the C library's start code sets
 * to the kernel's envp before running any constructor: the ELF ABI's
 * initial stack holds argc, argv[0..argc-1], NULL, envp..., NULL, auxv,
 * so envp[-1] is argv's NULL and the word at envp[-2-i] equals i exactly
 * when i is argc (below it the words are argv's pointers, never a count).
 * The walk only reads the main thread's stack: environ must lie between
 * this frame and the AT_RANDOM bytes the kernel put above the arrays, so a
 * replaced environ (a setenv that moved it to the heap) is never walked;
 * argc is then 0 and every constructor takes its usual path.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <stdint.h>
#include <sys/auxv.h>

#include "mainargs.h"

extern char **environ;

static struct golxc_main_args main_args;

#ifdef __GLIBC__
__attribute__((constructor(101))) static void golxc_keep_main_args(int argc, char **argv, char **envp)
{
	main_args.argc = argc;
	main_args.argv = argv;
	main_args.envp = envp ? envp : environ;
}

const struct golxc_main_args *golxc_main_args(void)
{
	return &main_args;
}
#else
const struct golxc_main_args *golxc_main_args(void)
{
	static int found;
	char **env = environ;
	const char *here = __builtin_frame_address(0);
	const char *top = (const char *)getauxval(AT_RANDOM);

	if (found)
		return &main_args;
	found = 1;
	main_args.envp = env;
	if (!env || !top || (const char *)env <= here || (const char *)env >= top || env[-1])
		return &main_args;
	for (uintptr_t i = 0; (const char *)(env - 2 - i) > here; i++)
		if ((uintptr_t)env[-2 - (ptrdiff_t)i] == i) {
			main_args.argc = (int)i;
			main_args.argv = env - 1 - i;
			break;
		}
	return &main_args;
}
#endif
