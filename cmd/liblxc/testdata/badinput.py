# Bad input through python3-lxc, and a loop of API calls that must leak
# nothing. argv[1] LXCPATH, argv[2] NAME (never created). Prints
# "key: value" lines; capi_test.go compares them between LXC's liblxc and
# golxc's.
import os
import sys

import lxc

P, NAME = sys.argv[1], sys.argv[2]


def out(k, v):
    print("%s: %s" % (k, v), flush=True)


def status(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])


def threads():
    return status("Threads")


c = lxc.Container(NAME, P)
out("defined", c.defined)
out("state", c.state)
out("running", c.running)
out("init_pid", c.init_pid)
out("start undefined", c.start())
out("stop undefined", c.stop())
out("freeze undefined", c.freeze())
out("wait RUNNING 0", c.wait("RUNNING", 0))
out("attach_wait stopped", c.attach_wait(lxc.attach_run_command, ["true"]))
out("destroy undefined", c.destroy())
try:
    c.get_config_item("lxc.no.such.key")
    out("get unknown key", "no error")
except KeyError as e:
    out("get unknown key", "KeyError %s" % e)
out("get_ips stopped", c.get_ips())
out("left behind", os.listdir(P))


def calls():
    x = lxc.Container(NAME, P)
    x.defined, x.state, x.running, x.init_pid, x.config_file_name
    try:
        x.get_config_item("lxc.uts.name")  # no config loaded: KeyError
    except KeyError:
        pass
    lxc.list_containers(config_path=P)


for _ in range(100):  # warm up: the runtime's threads, caches
    calls()
fds, th = len(os.listdir("/proc/self/fd")), threads()
for _ in range(1000):
    calls()
out("fds leaked", len(os.listdir("/proc/self/fd")) - fds)
out("threads grew", threads() > th + 1)
# Memory: after the first thousand (the Go runtime's heap finds its size
# there), three thousand more must not grow the resident set by a MiB.
rss = status("VmRSS")
for _ in range(3000):
    calls()
out("memory grew", status("VmRSS") - rss > 1024)
