# A tour of Debian's python3-lxc's Container on a temporary lxcpath, after
# seed 003's examples but not them (those run verbatim from seed003/):
# argv[1] LXCPATH, argv[2] NAME, argv[3] IPv4/prefix.
# Prints one "key: value" line per check; capi_test.go reads them.
import socket
import sys

import lxc

P, NAME, ADDR = sys.argv[1], sys.argv[2], sys.argv[3]


def out(k, v):
    print("%s: %s" % (k, v), flush=True)


out("version", lxc.version)
try:
    out("library", lxc.get_global_config_item("golxc.library"))
except KeyError:  # LXC's own liblxc has no golxc.library
    out("library", "LXC")

# Setup the container object
c = lxc.Container(NAME, P)
out("defined before create", c.defined)

# Create the container rootfs
out("create", c.create("busybox", lxc.LXC_CREATE_QUIET))
out("defined after create", c.defined)
out("config_file_name", c.config_file_name)
out("get_config_item lxc.uts.name", c.get_config_item("lxc.uts.name"))
try:
    out("set_config_item unknown", c.set_config_item("lxc.no.such.key", "1"))
except KeyError as e:  # python3-lxc reads the key back after a failed set
    out("set_config_item unknown", "KeyError")
out("set_config_item address", c.set_config_item("lxc.net.0.ipv4.address", ADDR))
out("save_config", c.save_config())
out("keys has lxc.uts.name", "lxc.uts.name" in c.get_keys())

# Start the container
out("start", c.start())

# Query some information
out("Container state", c.state)
out("Container PID positive", c.init_pid > 0)
out("running", c.running)
# Not the address itself: busybox's init may replace the static one with
# a DHCP lease from lxcbr0 at any moment.
out("get_ips found one", len(c.get_ips(family="inet", timeout=30)) > 0)
out("interfaces has lo", "lo" in c.get_interfaces())
out("listed", [x.name for x in lxc.list_containers(as_object=True, config_path=P)])
out("active", lxc.list_containers(defined=False, config_path=P))

# Run commands inside
out("attach_wait hostname", c.attach_wait(lxc.attach_run_command, ["hostname"]))
out("attach_wait false", c.attach_wait(lxc.attach_run_command, ["false"]) >> 8)
# The attached process is confined as init is: same cgroups, same
# capability bounding set; in cgroup2 (0::) LXC puts it in a ".lxc" leaf
# below init's cgroup.
SAME = ('test "$(grep -v ^0:: /proc/1/cgroup)" = "$(grep -v ^0:: /proc/self/cgroup)" && '
        'test "$(grep CapBnd /proc/1/status)" = "$(grep CapBnd /proc/self/status)"')
out("attach confined", c.attach_wait(lxc.attach_run_command, ["sh", "-c", SAME]))
out("attach shell", c.attach_wait(lxc.attach_run_shell))  # stdin: /dev/null
out("attach cgroup2", c.attach_wait(lxc.attach_run_command, ["grep", "^0::", "/proc/self/cgroup"]))
out("attach env", c.attach_wait(lxc.attach_run_command,
                                ["sh", "-c", 'echo "env: $container $FOO ${HOME:-nohome}"'],
                                env_policy=lxc.LXC_ATTACH_CLEAR_ENV,
                                extra_env_vars=["FOO=bar"]))


def print_hostname():
    print("Hostname: %s" % socket.gethostname(), flush=True)
    return 0


# First run on the host, then in the container
print_hostname()
c.attach_wait(print_hostname)

out("freeze", c.freeze())
out("frozen state", c.state)
out("unfreeze", c.unfreeze())
out("wait RUNNING", c.wait("RUNNING", 5))

# Stop the container
if not c.shutdown(30):
    out("forcing stop", c.stop())
out("state after shutdown", c.state)

# An overlay clone chain as the seed's, on the temporary lxcpath
web = c.clone(NAME + "-web", config_path=P, bdevtype="overlayfs", flags=lxc.LXC_CLONE_SNAPSHOT)
out("clone web", web is not False and web.defined)
mysite = web.clone(NAME + "-site", config_path=P, bdevtype="overlayfs", flags=lxc.LXC_CLONE_SNAPSHOT)
out("clone mysite", mysite is not False and mysite.defined)
out("mysite start", mysite.start())
ips = mysite.get_ips(family="inet", timeout=30)
out("mysite has an address", bool(ips))
out("mysite stop", mysite.stop())
out("mysite destroy", mysite.destroy())
out("web destroy", web.destroy())

# Snapshots
out("snapshot", c.snapshot())
out("snapshot_list", [s[0] for s in c.snapshot_list()])
out("snapshot_destroy", c.snapshot_destroy("snap0"))

# Destroy the container
out("destroy", c.destroy())
out("defined after destroy", c.defined)
