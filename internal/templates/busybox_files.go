package templates

// Files the busybox template writes into the rootfs. The passwd, group,
// rcS and inittab lines are the ones lxc-busybox writes; the udhcpc hook is
// golxc's own.

const busyboxPasswd = "root:x:0:0:root:/root:/bin/sh\n"

const busyboxGroup = "root:x:0:root\n"

// rcS runs once at boot (inittab sysinit): logging, fstab mounts, DHCP.
const busyboxRcS = `#!/bin/sh
/bin/syslogd
/bin/mount -a
/bin/udhcpc
`

const busyboxInittab = `::sysinit:/etc/init.d/rcS
tty1::respawn:/bin/getty -L tty1 115200 vt100
console::askfirst:/bin/sh
`

// udhcpcScript applies the lease udhcpc hands over in environment variables
// (interface, ip, mask, broadcast, router, domain, dns).
const udhcpcScript = `#!/bin/sh
# udhcpc event hook written by the golxc busybox template.
event="$1"

if [ "$event" = deconfig ]; then
  ip addr flush dev "$interface"
  exit 0
fi

if [ "$event" != bound ] && [ "$event" != renew ]; then
  exit 0
fi

[ -n "$router" ] && ip route del default 2>/dev/null

bcast=""
[ -n "$broadcast" ] && bcast="broadcast $broadcast"
# $bcast is deliberately unquoted: it is either empty or two words.
ip addr add "$ip/$mask" $bcast dev "$interface"

for gw in $router; do
  ip route add default via "$gw" dev "$interface"
  break
done

[ -n "$domain" ] && echo "search $domain" > /etc/resolv.conf
for ns in $dns; do
  grep -q "nameserver $ns" /etc/resolv.conf 2>/dev/null || echo "nameserver $ns" >> /etc/resolv.conf
done
exit 0
`

// defaultUdhcpcScript is used when busybox's help does not name one.
const defaultUdhcpcScript = "etc/udhcpc/default.script"

// busyboxDirs are created (mkdir -p) and set to 0755, in this order.
var busyboxDirs = []string{
	"selinux", "dev", "home", "root", "etc", "etc/init.d", "bin", "usr/bin",
	"sbin", "usr/sbin", "proc", "sys", "mnt", "tmp", "var/log", "var/run",
	"dev/pts", "lib", "usr/lib", "lib64", "usr/lib64",
}

// hostLibDirs are bind-mounted read-only when they exist on the host, so a
// dynamically linked binary copied in later still finds its libraries.
var hostLibDirs = []string{"lib", "usr/lib", "lib64", "usr/lib64"}

// busyboxConfig is appended to the container config (after the optional
// lxc.rootfs.path line and before the lib bind entries). %s is the name.
const busyboxConfig = `lxc.signal.halt = SIGUSR1
lxc.signal.reboot = SIGTERM
lxc.uts.name = "%s"
lxc.autodev = 1
lxc.tty.max = 5
lxc.pty.max = 1
lxc.cap.drop = sys_module mac_admin mac_override sys_time

# When using LXC with apparmor, uncomment the next line to run unconfined:
#lxc.apparmor.profile = unconfined

lxc.mount.auto = cgroup:mixed proc:mixed sys:ro
lxc.mount.entry = shm dev/shm tmpfs defaults,create=dir 0 0
lxc.mount.entry = mqueue dev/mqueue mqueue defaults,optional,create=dir 0 0
`

const securityfsEntry = "lxc.mount.entry = /sys/kernel/security sys/kernel/security none ro,bind,optional 0 0\n"
