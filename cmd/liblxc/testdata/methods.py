# Calls every python3-lxc Container method that seed 003 does not, on a
# stopped busybox container: none may crash the process; those that need
# a running container fail (False/None/KeyError) as under liblxc
# (console and console_getfd on a running one: console.py).
# rename goes last: it moves the container.
# argv[1] LXCPATH. Prints "method result" lines.
import lxc, sys
P=sys.argv[1]
c = lxc.Container("capi-m1", P)
c.create("busybox", lxc.LXC_CREATE_QUIET)
calls = [
 ("get_running_config_item", lambda: c.get_running_config_item("lxc.uts.name")),
 ("console_getfd", lambda: c.console_getfd()),
 ("add_device_node", lambda: c.add_device_node("/dev/null")),
 ("remove_device_node", lambda: c.remove_device_node("/dev/null")),
 ("attach_interface", lambda: c.attach_interface("dummy0")),
 ("detach_interface", lambda: c.detach_interface("dummy0")),
 ("get_cgroup_item", lambda: c.get_cgroup_item("memory.limit_in_bytes")),
 ("set_cgroup_item", lambda: c.set_cgroup_item("memory.limit_in_bytes", "1G")),
 ("checkpoint", lambda: c.checkpoint("/nonexistent/capi-cp")),
 ("restore", lambda: c.restore("/nonexistent/capi-cp")),
 ("reboot", lambda: c.reboot()),
 ("clear_config_item", lambda: c.clear_config_item("lxc.net.0.hwaddr")),
 ("clear_config", lambda: c.clear_config()),
 ("load_config", lambda: c.load_config()),
 ("get_config_path", lambda: c.get_config_path()),
 ("set_config_path", lambda: c.set_config_path(P)),
 ("config_file_name", lambda: c.config_file_name),
 ("get_interfaces", lambda: c.get_interfaces()),
 ("network", lambda: len(c.network)),
 ("append_config_item", lambda: c.append_config_item("lxc.environment", "A=1")),
 ("get_keys net", lambda: c.get_keys("lxc.net.0")),
 ("arch_to_personality", lambda: lxc.arch_to_personality("x86_64")),
]
for n, f in calls:
    try:
        print(n, repr(f()), flush=True)
    except Exception as e:
        print(n, "EXC", type(e).__name__, e, flush=True)
# python3-lxc's rename returns Container(new_name) in the default lxcpath
print("rename", c.rename("capi-m2") is not False, flush=True)
r = lxc.Container("capi-m2", P)
print("renamed defined", r.defined, flush=True)
print("destroy", r.destroy(), flush=True)
