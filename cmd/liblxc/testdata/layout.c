/* Prints the size and every field offset of the structs the ABI shares,
 * and the public constants. Built against Debian's lxc-dev headers,
 * against golxc's capi.h (-DGOLXC) and against golxc's installed headers
 * (include/lxc, as <lxc/lxccontainer.h>); the outputs must be identical. */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#ifdef GOLXC
#include "../capi.h"
#include "../include/lxc/version.h"
#else
#include <lxc/lxccontainer.h>
#include <lxc/version.h>
#endif

#define F(s, f) printf(#s "." #f " %zu %zu\n", offsetof(struct s, f), sizeof(((struct s *)0)->f))
#define C(f) F(lxc_container, f)
#define A(f) F(lxc_attach_options_t, f)

int main(void)
{
	printf("lxc_container %zu\n", sizeof(struct lxc_container));
	C(name); C(configfile); C(pidfile); C(slock); C(privlock); C(numthreads); C(lxc_conf);
	C(error_string); C(error_num); C(daemonize); C(config_path);
	C(is_defined); C(state); C(is_running); C(freeze); C(unfreeze); C(init_pid); C(load_config);
	C(start); C(startl); C(stop); C(want_daemonize); C(want_close_all_fds); C(config_file_name);
	C(wait); C(set_config_item); C(destroy); C(save_config); C(create); C(createl); C(rename);
	C(reboot); C(shutdown); C(clear_config); C(clear_config_item); C(get_config_item);
	C(get_running_config_item); C(get_keys); C(get_interfaces); C(get_ips); C(get_cgroup_item);
	C(set_cgroup_item); C(get_config_path); C(set_config_path); C(clone); C(console_getfd);
	C(console); C(attach); C(attach_run_wait); C(attach_run_waitl); C(snapshot); C(snapshot_list);
	C(snapshot_restore); C(snapshot_destroy); C(may_control); C(add_device_node);
	C(remove_device_node); C(attach_interface); C(detach_interface); C(checkpoint); C(restore);
	C(destroy_with_snapshots); C(snapshot_destroy_all); C(migrate); C(console_log); C(reboot2);
	C(mount); C(umount); C(seccomp_notify_fd); C(seccomp_notify_fd_active); C(init_pidfd);
	C(devpts_fd);
	printf("lxc_attach_options_t %zu\n", sizeof(struct lxc_attach_options_t));
	A(attach_flags); A(namespaces); A(personality); A(initial_cwd); A(uid); A(gid); A(env_policy);
	A(extra_env_vars); A(extra_keep_env); A(stdin_fd); A(stdout_fd); A(stderr_fd); A(log_fd);
	A(lsm_label); A(groups);
	printf("lxc_attach_command_t %zu\n", sizeof(struct lxc_attach_command_t));
	F(lxc_attach_command_t, program); F(lxc_attach_command_t, argv);
	printf("lxc_snapshot %zu\n", sizeof(struct lxc_snapshot));
	F(lxc_snapshot, name); F(lxc_snapshot, comment_pathname); F(lxc_snapshot, timestamp);
	F(lxc_snapshot, lxcpath); F(lxc_snapshot, free);
	printf("lxc_log %zu\n", sizeof(struct lxc_log));
	F(lxc_log, name); F(lxc_log, lxcpath); F(lxc_log, file); F(lxc_log, level); F(lxc_log, prefix);
	F(lxc_log, quiet);
	printf("migrate_opts %zu\n", sizeof(struct migrate_opts));
	F(migrate_opts, directory); F(migrate_opts, verbose); F(migrate_opts, stop);
	F(migrate_opts, predump_dir); F(migrate_opts, pageserver_address); F(migrate_opts, pageserver_port);
	F(migrate_opts, preserves_inodes); F(migrate_opts, action_script);
	F(migrate_opts, disable_skip_in_flight); F(migrate_opts, ghost_limit);
	F(migrate_opts, features_to_check);
	printf("lxc_console_log %zu\n", sizeof(struct lxc_console_log));
	F(lxc_console_log, clear); F(lxc_console_log, read); F(lxc_console_log, read_max);
	F(lxc_console_log, data);
	printf("lxc_mount %zu\n", sizeof(struct lxc_mount));
	F(lxc_mount, version);
	printf("bdev_specs %zu\n", sizeof(struct bdev_specs));
	F(bdev_specs, fstype); F(bdev_specs, fssize); F(bdev_specs, zfs.zfsroot); F(bdev_specs, lvm.vg);
	F(bdev_specs, lvm.lv); F(bdev_specs, lvm.thinpool); F(bdev_specs, dir); F(bdev_specs, rbd.rbdname);
	F(bdev_specs, rbd.rbdpool);
#define V(x) printf(#x " %lld\n", (long long)(x))
	V(LXC_CLONE_KEEPNAME); V(LXC_CLONE_KEEPMACADDR); V(LXC_CLONE_SNAPSHOT); V(LXC_CLONE_KEEPBDEVTYPE);
	V(LXC_CLONE_MAYBE_SNAPSHOT); V(LXC_CLONE_MAXFLAGS); V(LXC_CLONE_ALLOW_RUNNING); V(LXC_CREATE_QUIET);
	V(LXC_CREATE_MAXFLAGS); V(LXC_MOUNT_API_V1); V(MIGRATE_PRE_DUMP); V(MIGRATE_DUMP); V(MIGRATE_RESTORE);
	V(MIGRATE_FEATURE_CHECK); V(FEATURE_MEM_TRACK); V(FEATURE_LAZY_PAGES);
	V(LXC_ATTACH_KEEP_ENV); V(LXC_ATTACH_CLEAR_ENV); V(LXC_ATTACH_MOVE_TO_CGROUP);
	V(LXC_ATTACH_DROP_CAPABILITIES); V(LXC_ATTACH_SET_PERSONALITY); V(LXC_ATTACH_LSM_EXEC);
	V(LXC_ATTACH_REMOUNT_PROC_SYS); V(LXC_ATTACH_LSM_NOW); V(LXC_ATTACH_NO_NEW_PRIVS); V(LXC_ATTACH_TERMINAL);
	V(LXC_ATTACH_LSM_LABEL); V(LXC_ATTACH_SETGROUPS); V(LXC_ATTACH_DEFAULT); V(LXC_ATTACH_LSM);
	V(LXC_ATTACH_DETECT_PERSONALITY); V(sizeof(lxc_attach_env_policy_t));
	lxc_attach_options_t d = LXC_ATTACH_OPTIONS_DEFAULT;
	printf("default %d %d %ld %p %d %d %d %p %p %d %d %d %d %p %zu %p\n", d.attach_flags, d.namespaces,
	       d.personality, (void *)d.initial_cwd, (int)d.uid, (int)d.gid, (int)d.env_policy, (void *)d.extra_env_vars,
	       (void *)d.extra_keep_env, d.stdin_fd, d.stdout_fd, d.stderr_fd, d.log_fd, (void *)d.lsm_label,
	       d.groups.size, (void *)d.groups.list);
	V(LXC_VERSION_MAJOR); V(LXC_VERSION_MINOR); V(LXC_VERSION_MICRO); V(LXC_DEVEL);
	printf("%s %s\n", LXC_VERSION, LXC_VERSION_ABI);
	/* the exported functions' types (checked at compile time) */
#define T(f, type) _Static_assert(__builtin_types_compatible_p(__typeof__(&f), type), #f)
	T(lxc_container_new, struct lxc_container *(*)(const char *, const char *));
	T(lxc_container_get, int (*)(struct lxc_container *));
	T(lxc_container_put, int (*)(struct lxc_container *));
	T(lxc_get_wait_states, int (*)(const char **));
	T(lxc_get_global_config_item, const char *(*)(const char *));
	T(lxc_get_version, const char *(*)(void));
	T(list_defined_containers, int (*)(const char *, char ***, struct lxc_container ***));
	T(list_active_containers, int (*)(const char *, char ***, struct lxc_container ***));
	T(list_all_containers, int (*)(const char *, char ***, struct lxc_container ***));
	T(lxc_log_init, int (*)(struct lxc_log *));
	T(lxc_log_close, void (*)(void));
	T(lxc_config_item_is_supported, bool (*)(const char *));
	T(lxc_has_api_extension, bool (*)(const char *));
	T(lxc_attach_run_command, int (*)(void *));
	T(lxc_attach_run_shell, int (*)(void *));
	return 0;
}
