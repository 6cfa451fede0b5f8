// The C side of golxc's liblxc.so.1: LXC's exported functions, the method
// table of struct lxc_container, the variadic wrappers, and the fork of an
// attach (attach.c). Every method calls the Go side (capi_*.go) through
// the cgo exports.
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capi.h"
#include "_cgo_export.h"

static const char *state_names[] = {"STOPPED", "STARTING", "RUNNING", "STOPPING",
				    "ABORTING", "FREEZING", "FROZEN", "THAWED"};

char **golxc_strv_new(int n) { return calloc((size_t)n + 1, sizeof(char *)); }

static const char *m_state(lxc_c *c)
{
	int s = golxcState(c);
	if (s < 0 || s >= (int)(sizeof(state_names) / sizeof(state_names[0])))
		return NULL;
	return state_names[s];
}

/* collect a NULL-terminated variadic list into a malloc'd vector */
static char **collect(const char *first, va_list ap)
{
	size_t n = 0, cap = 8;
	char **v = malloc(cap * sizeof(char *));
	const char *s = first;
	if (!v)
		return NULL;
	while (s) {
		if (n + 1 >= cap) {
			char **nv = realloc(v, (cap *= 2) * sizeof(char *));
			if (!nv) {
				free(v);
				return NULL;
			}
			v = nv;
		}
		v[n++] = (char *)s;
		s = va_arg(ap, const char *);
	}
	v[n] = NULL;
	return v;
}

static bool m_start(lxc_c *c, int useinit, char *const argv[]) { return golxcStart(c, useinit, (char **)argv); }

static bool m_startl(lxc_c *c, int useinit, ...)
{
	va_list ap;
	va_start(ap, useinit);
	char **v = collect(va_arg(ap, const char *), ap);
	va_end(ap);
	if (!v)
		return false;
	bool ok = golxcStart(c, useinit, v[0] ? v : NULL);
	free(v);
	return ok;
}

static bool m_create(lxc_c *c, const char *t, const char *bdevtype, struct bdev_specs *specs, int flags,
		     char *const argv[])
{
	(void)specs;
	return golxcCreate(c, (char *)t, (char *)bdevtype, flags, (char **)argv);
}

static bool m_createl(lxc_c *c, const char *t, const char *bdevtype, struct bdev_specs *specs, int flags, ...)
{
	va_list ap;
	va_start(ap, flags);
	char **v = collect(va_arg(ap, const char *), ap);
	va_end(ap);
	if (!v)
		return false;
	bool ok = m_create(c, t, bdevtype, specs, flags, v);
	free(v);
	return ok;
}

/* LXC's copy-out convention: the full length, retv filled up to inlen */
static int copy_out(char *s, char *retv, int inlen)
{
	if (!s)
		return -1;
	int len = (int)strlen(s);
	if (retv && inlen > 0) {
		memset(retv, 0, (size_t)inlen);
		strncpy(retv, s, (size_t)inlen - 1);
	}
	free(s);
	return len;
}

static int m_get_config_item(lxc_c *c, const char *key, char *retv, int inlen)
{
	return copy_out(golxcGetConfigItem(c, (char *)key), retv, inlen);
}

static int m_get_keys(lxc_c *c, const char *key, char *retv, int inlen)
{
	return copy_out(golxcGetKeys(c, (char *)key), retv, inlen);
}

static int m_get_cgroup_item(lxc_c *c, const char *key, char *retv, int inlen)
{
	return copy_out(golxcGetCgroupItem(c, (char *)key), retv, inlen);
}

static const char *m_get_config_path(lxc_c *c) { return c->config_path; }

static bool m_set_config_path(lxc_c *c, const char *path)
{
	char *dup = path ? strdup(path) : NULL;
	if (!dup || !golxcSetConfigPath(c, (char *)path)) {
		free(dup);
		return false;
	}
	free(c->config_path);
	c->config_path = dup;
	free(c->configfile);
	c->configfile = golxcConfigFileName(c);
	return true;
}

static bool m_want_daemonize(lxc_c *c, bool state)
{
	c->daemonize = state;
	return golxcWantDaemonize(c, state);
}

static int m_attach(lxc_c *c, lxc_attach_exec_t fn, void *payload, lxc_attach_options_t *options, pid_t *pid)
{
	struct golxc_attach_plan plan;
	lxc_attach_options_t defaults = {.attach_flags = 0x0000FFFF, .namespaces = -1, .personality = -1,
					 .uid = (uid_t)-1, .gid = (gid_t)-1, .stdin_fd = 0, .stdout_fd = 1,
					 .stderr_fd = 2, .log_fd = -9};
	if (!options)
		options = &defaults;
	memset(&plan, 0, sizeof(plan));
	int err = golxcAttachPlan(c, options, &plan);
	if (err < 0)
		return err;
	int ret = golxc_attach_fork(&plan, fn, payload, pid);
	if (plan.pty_pts >= 0) {
		/* the child has its copy: the proxy ends when it is gone */
		close(plan.pty_pts);
		plan.pty_pts = -1;
	}
	if (ret == 0 && plan.pty_ptx >= 0)
		golxcAttachTerminal(plan.pty_ptx, options->log_fd); /* as liblxc: until the pty hangs up */
	golxcAttachPlanFree(&plan);
	return ret;
}

extern int lxc_attach_run_command(void *payload);

static int m_attach_run_wait(lxc_c *c, lxc_attach_options_t *options, const char *program, const char *const argv[])
{
	lxc_attach_command_t cmd = {.program = (char *)program, .argv = (char **)argv};
	pid_t pid;
	int status;
	if (m_attach(c, lxc_attach_run_command, &cmd, options, &pid) < 0)
		return -1;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

static int m_attach_run_waitl(lxc_c *c, lxc_attach_options_t *options, const char *program, const char *arg, ...)
{
	va_list ap;
	va_start(ap, arg);
	char **v = collect(arg, ap);
	va_end(ap);
	if (!v)
		return -1;
	int ret = m_attach_run_wait(c, options, program, (const char *const *)v);
	free(v);
	return ret;
}

/* liblxc's clone: the new container, or NULL */
static lxc_c *m_clone(lxc_c *c, const char *newname, const char *lxcpath, int flags, const char *bdevtype,
		      const char *bdevdata, uint64_t newsize, char **hookargs)
{
	(void)bdevdata;
	if (!golxcClone(c, (char *)newname, (char *)lxcpath, flags, (char *)bdevtype, newsize, hookargs))
		return NULL;
	return lxc_container_new(newname ? newname : c->name, lxcpath ? lxcpath : c->config_path);
}

static void snapshot_free(struct lxc_snapshot *s)
{
	if (!s)
		return;
	free(s->name);
	free(s->comment_pathname);
	free(s->timestamp);
	free(s->lxcpath);
	s->name = s->comment_pathname = s->timestamp = s->lxcpath = NULL;
}

void golxc_snapshot_init(struct lxc_snapshot *s) { s->free = snapshot_free; }

static int m_snapshot_list(lxc_c *c, struct lxc_snapshot **out)
{
	if (out)
		*out = NULL;
	return golxcSnapshotList(c, out);
}

/* liblxc's migrate: a caller's larger (newer) struct must be zero past
 * ours (-E2BIG), a smaller (older) one is zero-extended; only a full-size
 * struct gets the feature check's answer back. */
static int m_migrate(lxc_c *c, unsigned int cmd, struct migrate_opts *opts, unsigned int size)
{
	struct migrate_opts o;
	if (!c)
		return -1;
	if (opts && size > sizeof(o)) {
		for (unsigned char *p = (unsigned char *)opts + sizeof(o); p < (unsigned char *)opts + size; p++)
			if (*p)
				return -E2BIG;
	}
	memset(&o, 0, sizeof(o));
	if (opts)
		memcpy(&o, opts, size < sizeof(o) ? size : sizeof(o));
	int ret = golxcMigrate(c, cmd, &o);
	if (cmd == MIGRATE_FEATURE_CHECK && ret > 0 && opts && size >= sizeof(o))
		opts->features_to_check = o.features_to_check;
	return ret;
}

/* mount data is a string for every file system golxc mounts */
static int m_mount(lxc_c *c, const char *source, const char *target, const char *fstype, unsigned long flags,
		   const void *data, struct lxc_mount *mnt)
{
	(void)mnt; /* LXC 5.0.2 reads nothing from it */
	if (!c)
		return -EINVAL;
	return golxcMount(c, (char *)source, (char *)target, (char *)fstype, flags, (char *)data);
}

static int m_umount(lxc_c *c, const char *target, unsigned long flags, struct lxc_mount *mnt)
{
	(void)mnt;
	if (!c)
		return -EINVAL;
	return golxcUmount(c, (char *)target, flags);
}


bool golxc_install_methods(struct lxc_container *c)
{
	c->is_defined = golxcIsDefined;
	c->state = m_state;
	c->is_running = golxcIsRunning;
	c->freeze = golxcFreeze;
	c->unfreeze = golxcUnfreeze;
	c->init_pid = golxcInitPid;
	c->load_config = (bool (*)(lxc_c *, const char *))golxcLoadConfig;
	c->start = m_start;
	c->startl = m_startl;
	c->stop = golxcStop;
	c->want_daemonize = m_want_daemonize;
	c->want_close_all_fds = golxcWantCloseAllFds;
	c->config_file_name = golxcConfigFileName;
	c->wait = (bool (*)(lxc_c *, const char *, int))golxcWait;
	c->set_config_item = (bool (*)(lxc_c *, const char *, const char *))golxcSetConfigItem;
	c->destroy = golxcDestroy;
	c->save_config = (bool (*)(lxc_c *, const char *))golxcSaveConfig;
	c->create = m_create;
	c->createl = m_createl;
	c->rename = (bool (*)(lxc_c *, const char *))golxcRename;
	c->reboot = golxcReboot;
	c->shutdown = golxcShutdown;
	c->clear_config = golxcClearConfig;
	c->clear_config_item = (bool (*)(lxc_c *, const char *))golxcClearConfigItem;
	c->get_config_item = m_get_config_item;
	c->get_running_config_item = (char *(*)(lxc_c *, const char *))golxcGetRunningConfigItem;
	c->get_keys = m_get_keys;
	c->get_interfaces = golxcGetInterfaces;
	c->get_ips = (char **(*)(lxc_c *, const char *, const char *, int))golxcGetIPs;
	c->get_cgroup_item = m_get_cgroup_item;
	c->set_cgroup_item = (bool (*)(lxc_c *, const char *, const char *))golxcSetCgroupItem;
	c->get_config_path = m_get_config_path;
	c->set_config_path = m_set_config_path;
	c->clone = m_clone;
	c->console_getfd = golxcConsoleGetfd;
	c->console = golxcConsole;
	c->attach = m_attach;
	c->attach_run_wait = m_attach_run_wait;
	c->attach_run_waitl = m_attach_run_waitl;
	c->snapshot = (int (*)(lxc_c *, const char *))golxcSnapshot;
	c->snapshot_list = m_snapshot_list;
	c->snapshot_restore = (bool (*)(lxc_c *, const char *, const char *))golxcSnapshotRestore;
	c->snapshot_destroy = (bool (*)(lxc_c *, const char *))golxcSnapshotDestroy;
	c->may_control = golxcMayControl;
	c->add_device_node = (bool (*)(lxc_c *, const char *, const char *))golxcAddDeviceNode;
	c->remove_device_node = (bool (*)(lxc_c *, const char *, const char *))golxcRemoveDeviceNode;
	c->attach_interface = (bool (*)(lxc_c *, const char *, const char *))golxcAttachInterface;
	c->detach_interface = (bool (*)(lxc_c *, const char *, const char *))golxcDetachInterface;
	c->checkpoint = golxcCheckpoint;
	c->restore = golxcRestore;
	c->destroy_with_snapshots = golxcDestroyWithSnapshots;
	c->snapshot_destroy_all = golxcSnapshotDestroyAll;
	c->migrate = m_migrate;
	c->console_log = golxcConsoleLog;
	c->reboot2 = golxcReboot2;
	c->mount = m_mount;
	c->umount = m_umount;
	c->seccomp_notify_fd = golxcSeccompNotifyFd;
	c->seccomp_notify_fd_active = golxcSeccompNotifyFd;
	c->init_pidfd = golxcInitPidfd;
	c->devpts_fd = golxcDevptsFd;
	return true;
}

/* ---- exported functions ---- */

struct lxc_container *lxc_container_new(const char *name, const char *configpath)
{
	struct golxc_container *g;
	if (!name)
		return NULL;
	g = calloc(1, sizeof(*g));
	if (!g)
		return NULL;
	g->handle = golxcNew((char *)name, (char *)configpath, &g->pub.config_path, &g->pub.configfile);
	if (!g->handle) {
		free(g);
		return NULL;
	}
	g->pub.name = strdup(name);
	g->pub.daemonize = true;
	g->pub.numthreads = 1;
	g->refs = 1;
	golxc_install_methods(&g->pub);
	return &g->pub;
}

int lxc_container_get(struct lxc_container *c)
{
	struct golxc_container *g = (struct golxc_container *)c;
	if (!c)
		return 0;
	if (__atomic_load_n(&g->refs, __ATOMIC_SEQ_CST) <= 0)
		return 0;
	__atomic_add_fetch(&g->refs, 1, __ATOMIC_SEQ_CST);
	return 1;
}

int lxc_container_put(struct lxc_container *c)
{
	struct golxc_container *g = (struct golxc_container *)c;
	if (!c)
		return -1;
	if (__atomic_sub_fetch(&g->refs, 1, __ATOMIC_SEQ_CST) > 0)
		return 0;
	golxcRelease(g->handle);
	free(c->name);
	free(c->configfile);
	free(c->config_path);
	free(c->error_string);
	free(g);
	return 1;
}

const char *lxc_get_version(void) { return "5.0.2"; }

const char *lxc_get_global_config_item(const char *key) { return golxcGlobalConfigItem((char *)key); }

bool lxc_config_item_is_supported(const char *key) { return golxcConfigItemSupported((char *)key); }

bool lxc_has_api_extension(const char *extension)
{
	(void)extension;
	return false;
}

int lxc_get_wait_states(const char **states)
{
	int n = (int)(sizeof(state_names) / sizeof(state_names[0]));
	if (states)
		for (int i = 0; i < n; i++)
			states[i] = state_names[i];
	return n;
}

static int list_containers(const char *lxcpath, int which, char ***names, struct lxc_container ***cret)
{
	char **v = NULL;
	int n = golxcList((char *)lxcpath, which, &v);
	if (n < 0)
		return -1;
	if (cret) {
		*cret = calloc((size_t)n + 1, sizeof(struct lxc_container *));
		if (!*cret)
			n = 0;
		for (int i = 0; *cret && i < n; i++)
			(*cret)[i] = lxc_container_new(v[i], lxcpath);
	}
	if (names)
		*names = v;
	else {
		for (int i = 0; i < n; i++)
			free(v[i]);
		free(v);
	}
	return n;
}

int list_defined_containers(const char *lxcpath, char ***names, struct lxc_container ***cret)
{
	return list_containers(lxcpath, 0, names, cret);
}

int list_active_containers(const char *lxcpath, char ***names, struct lxc_container ***cret)
{
	return list_containers(lxcpath, 1, names, cret);
}

int list_all_containers(const char *lxcpath, char ***names, struct lxc_container ***cret)
{
	return list_containers(lxcpath, 2, names, cret);
}

int lxc_log_init(struct lxc_log *log)
{
	if (!log)
		return -1;
	return golxcLogInit((char *)log->file, (char *)log->prefix, log->quiet);
}

void lxc_log_close(void) { golxcLogClose(); }

#include <dlfcn.h>
static char *shim_path;

/* liblxc.so.1 (shim/liblxc.c) says where it is once it has loaded this
 * library: golxc.library names that file, the one the program got. */
void golxc_capi_library(const char *path)
{
	if (!shim_path && path)
		shim_path = strdup(path);
}

/* which file the dynamic linker gave this program (golxc.library) */
const char *golxc_library_path(void)
{
	Dl_info info;
	if (shim_path)
		return shim_path;
	if (!dladdr((void *)lxc_get_version, &info) || !info.dli_fname)
		return NULL;
	return info.dli_fname;
}
