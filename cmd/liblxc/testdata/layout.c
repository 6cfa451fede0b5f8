/* Prints the size and every field offset of the structs the ABI shares.
 * Built once against Debian's lxc-dev headers and once against golxc's
 * capi.h (-DGOLXC); the two outputs must be identical. */
#include <stddef.h>
#include <stdio.h>
#ifdef GOLXC
#include "../capi.h"
#else
#include <lxc/lxccontainer.h>
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
	return 0;
}
