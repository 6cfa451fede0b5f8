# python3-lxc's controllable, snapshot_restore (in place and to a new
# name) and add_device_net (one end of a host veth pair moved into the
# running container under a new name) on a busybox container.
# argv: LXCPATH NAME IFNAME (the veth pair IFNAME, IFNAMEp this script
# creates; the caller deletes what is left).
# Prints "key value" lines, the same under LXC's liblxc and golxc's.
import os, subprocess, sys, time
import lxc

P, N, IF = sys.argv[1], sys.argv[2], sys.argv[3]


def say(k, v):
    print(k, v, flush=True)


def rootfs(c):
    p = c.get_config_item("lxc.rootfs.path")
    return p.split(":", 1)[1] if p.startswith("dir:") else p


c = lxc.Container(N, P)
say("controllable undefined", c.controllable)
say("create", c.create("busybox", lxc.LXC_CREATE_QUIET))
say("controllable", c.controllable)
c.clear_config_item("lxc.net")
say("save_config", c.save_config())

marker = os.path.join(rootfs(c), "marker")
with open(marker, "w") as f:
    f.write("before\n")
say("snapshot", c.snapshot())
with open(marker, "w") as f:
    f.write("after\n")
say("snapshot_restore missing", c.snapshot_restore("snap9"))
say("snapshot_restore new", c.snapshot_restore("snap0", N + "-r"))
r = lxc.Container(N + "-r", P)
say("restored defined", r.defined)
say("restored marker", open(os.path.join(rootfs(r), "marker")).read().strip())
say("restored destroy", r.destroy())
say("snapshot_restore in place", c.snapshot_restore("snap0"))
c = lxc.Container(N, P)
say("in place defined", c.defined)
say("in place marker", open(os.path.join(rootfs(c), "marker")).read().strip())
say("snapshots", [s[0] for s in c.snapshot_list()])

say("add_device_net stopped", c.add_device_net(IF))
say("start", c.start())
say("wait RUNNING", c.wait("RUNNING", 30))
say("controllable running", c.controllable)
say("ip link add", subprocess.call(["ip", "link", "add", IF, "type", "veth", "peer", "name", IF + "p"]))
say("add_device_net missing", c.add_device_net(IF + "x"))
say("add_device_net", c.add_device_net(IF, "eth9"))
say("host still has it", os.path.exists("/sys/class/net/" + IF))
say("container has eth9", "eth9" in c.get_interfaces())
say("stop", c.stop())
# the kernel removes the container's network namespace (and the veth
# with it) asynchronously, under LXC as under golxc
for _ in range(500):
    if not os.path.exists("/sys/class/net/" + IF + "p"):
        break
    time.sleep(0.01)
say("peer gone with the container", not os.path.exists("/sys/class/net/" + IF + "p"))
say("snapshot_destroy", c.snapshot_destroy("snap0"))
say("destroy", c.destroy())
