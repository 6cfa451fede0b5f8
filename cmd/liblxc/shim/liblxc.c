/*
 * golxc's liblxc.so.1 as the dynamic linker finds it: a shim in C that
 * loads golxc's library (libgolxc-capi.so, the Go c-shared build of
 * cmd/liblxc) on the first call of an LXC function and forwards the call.
 *
 * Why C: the shim is what every program with DT_NEEDED liblxc.so.1 maps,
 * Debian's own lxc-* binaries included (they link LXC's code in and call
 * nothing of the library), and a Go library cannot be loaded without its
 * runtime starting: threads and signal handlers, which in those processes
 * would break unshare(CLONE_NEWUSER) and setns into a user namespace
 * (single-threaded only) and LXC's signalfd. So the shim does nothing at
 * load time: no constructor (it is linked without start files), no
 * thread, no allocation.
 *
 * Only the exported functions are forwarded (api.def); the methods of
 * struct lxc_container are function pointers golxc's library fills in.
 * golxc's library lives next to the shim (same directory). If it cannot
 * be loaded, one line on stderr says so, once, and every call fails as
 * liblxc's would (NULL, -1, false). lxc_attach_run_command/shell also run
 * in the child golxc's attach forks: the library is loaded by then (the
 * container came from lxc_container_new), so pthread_once only returns.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef GOLXC_CAPI
#define GOLXC_CAPI "libgolxc-capi.so"
#endif
#ifndef LXC_LIBDIR
#define LXC_LIBDIR "/usr/lib/x86_64-linux-gnu"
#endif

/* golxc's public header: every forwarder below must match its prototype */
#include "../include/lxc/lxccontainer.h"

enum {
#define F(ret, name, params, args, fail) i_##name,
#define V(name, params, args) i_##name,
#include "api.def"
#undef F
#undef V
	n_api
};

static const char *const api_names[n_api] = {
#define F(ret, name, params, args, fail) [i_##name] = #name,
#define V(name, params, args) [i_##name] = #name,
#include "api.def"
#undef F
#undef V
};

static void *api[n_api]; /* golxc's functions, set once by load() */
static bool loaded;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
	char self[PATH_MAX], capi[PATH_MAX + sizeof(GOLXC_CAPI)];
	Dl_info info;
	void *h;

	if (!dladdr((void *)load, &info) || !info.dli_fname) {
		fprintf(stderr, "golxc: liblxc.so.1 cannot tell where it was loaded from, so not where golxc's "
				"library is: run the program with LD_LIBRARY_PATH=%s for LXC's liblxc\n", LXC_LIBDIR);
		return;
	}
	if (!realpath(info.dli_fname, self))
		snprintf(self, sizeof(self), "%s", info.dli_fname);
	char *slash = strrchr(self, '/');
	snprintf(capi, sizeof(capi), "%.*s%s", slash ? (int)(slash - self + 1) : 0, self, GOLXC_CAPI);
	/* RTLD_LOCAL: golxc's copies of the lxc_* symbols stay out of the
	 * program's namespace; the library binds its own calls (-Bsymbolic). */
	h = dlopen(capi, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "golxc: %s cannot load golxc's library %s (%s): install golxc again (make install), "
				"or run the program with LD_LIBRARY_PATH=%s for LXC's liblxc\n", self, capi, dlerror(),
			LXC_LIBDIR);
		return;
	}
	for (int i = 0; i < n_api; i++) {
		api[i] = dlsym(h, api_names[i]);
		if (!api[i]) {
			fprintf(stderr, "golxc: %s: golxc's library %s lacks %s: install golxc again (make install), "
					"or run the program with LD_LIBRARY_PATH=%s for LXC's liblxc\n", self, capi,
				api_names[i], LXC_LIBDIR);
			return;
		}
	}
	/* golxc.library names the file the program got: this one */
	void (*set_library)(const char *) = (void (*)(const char *))dlsym(h, "golxc_capi_library");
	if (set_library)
		set_library(self);
	__atomic_store_n(&loaded, true, __ATOMIC_RELEASE);
}

static bool ready(void)
{
	pthread_once(&once, load);
	return loaded;
}

/* One forwarder per function of api.def. */
#define F(ret, name, params, args, fail)                                                                   \
	ret name params                                                                                    \
	{                                                                                                  \
		if (!ready())                                                                              \
			return fail;                                                                       \
		return ((ret(*) params)api[i_##name]) args;                                                \
	}
/* lxc_log_close before any other call has nothing to close: no load. */
#define V(name, params, args)                                                                              \
	void name params                                                                                   \
	{                                                                                                  \
		if (__atomic_load_n(&loaded, __ATOMIC_ACQUIRE))                                            \
			((void(*) params)api[i_##name]) args;                                              \
	}
#include "api.def"
#undef F
#undef V
