#!/bin/bash
# deb_apt_roundtrip.sh DEB OUT SRC NAME: TestDebAptRoundTrip's machine
# without make install's files, run under
#   unshare --mount --pid --fork --propagation private
# so every mount below and every process started here (containers and
# their monitors too) end with this script, whatever happens.
#
# The machine is an overlay of the host's root (lowerdir=/) whose upper
# layer is a tmpfs: nothing written inside reaches the host. In it:
# make uninstall (make install's files go, as whiteouts), Debian's lxc
# purged if installed, pending dpkg configuration done; then the upper
# layer is listed (OUT/before.txt), `apt-get install -y ./golxc_*.deb`
# runs, the demo's steps with the packaged tools on container NAME, then
# `apt-get purge -y golxc`, and the upper layer is listed again
# (OUT/after.txt) with every file dpkg says a package owns
# (OUT/owned.txt). The test compares the lists.
set -euo pipefail
deb=$1 out=$2 src=$3 name=$4
step() { printf '+ %s\n' "$*" >&2; }
in_root() { chroot "$root" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	HOME=/root LANG=C DEBIAN_FRONTEND=noninteractive "$@"; }

scratch=$out/ns
mkdir -p "$scratch"
mount -t tmpfs -o mode=0755 golxc-deb-test "$scratch"
mkdir "$scratch/upper" "$scratch/work" "$scratch/root"
root=$scratch/root
step "overlay of / on $root (upper: tmpfs)"
mount -t overlay golxc-deb-test -o "lowerdir=/,upperdir=$scratch/upper,workdir=$scratch/work" "$root"
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
# A run directory of its own: lock files and sockets stay in here.
mount -t tmpfs -o mode=0755 golxc-deb-run "$root/run"
# postinst's invoke-rc.d lxc-net start would bring up lxcbr0 on the
# host's network: services stay off, as in Debian's build chroots.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"

step "make uninstall (make install's files)"
in_root make -s -C "$src" uninstall PREFIX=/usr/local >&2
for f in /usr/local/bin/golxc /usr/local/bin/golxc-query /usr/local/libexec/golxc /usr/local/lib/golxc \
	/usr/local/lib/liblxc.so.1 /usr/local/lib/libgolxc-capi.so \
	/usr/local/share/bash-completion/completions/golxc /usr/local/share/man/man1/golxc.1; do
	if [ -e "$root$f" ]; then
		echo "deb test: $f is still there after make uninstall in the overlay" >&2
		exit 1
	fi
done
if in_root dpkg-query -W -f='${Status}' lxc 2>/dev/null | grep -q installed; then
	step "apt-get purge lxc (Debian's; golxc Conflicts with it)"
	in_root apt-get purge -y -q lxc >&2
fi
step "dpkg --configure -a (the host's pending configuration, before the baseline)"
in_root dpkg --configure -a >&2
# The dynamic linker's cache as the files are now: purging lxc may take
# lxc-dev (its liblxc.so link) with it without an ldconfig run.
in_root ldconfig

lp=/var/tmp/golxc-deb-lxcpath
mkdir -p "$root$lp"
echo "lxc.net.0.type = empty" >"$root/var/tmp/golxc-deb.conf"
list() { (cd "$scratch/upper" && find . -mindepth 1 -printf '%y\t%m\t%l\t%P\n' | sort -t $'\t' -k4) >"$1"
	(cd "$scratch/upper" && find . -type f -printf '%P\0' | sort -z | xargs -0r sha256sum) >"$1.sha256"; }
list "$out/before.txt"
# the dynamic linker's cache, compared by its entries (ldconfig's files
# themselves are rebuilt, not restored)
in_root ldconfig -p >"$out/ldconfig-before.txt"

step "apt-get install -y ./${deb##*/}"
in_root sh -c "cd '${deb%/*}' && apt-get install -y -q './${deb##*/}'" >&2
in_root dpkg-query -W -f='${Status}\n' golxc >&2
[ "$(in_root readlink -f /usr/bin/lxc-start)" = /usr/bin/golxc ] || {
	echo "deb test: the packaged lxc-start is not golxc's" >&2; exit 1; }
in_root golxc version >&2
# The dynamic linker's cache (rebuilt by the ldconfig trigger) gives
# golxc's liblxc.so.1 first, and python3-lxc gets it.
step "ldconfig -p: liblxc.so.1"
in_root ldconfig -p | grep 'liblxc\.so\.1 ' >&2
[ "$(in_root ldconfig -p | grep -m1 'liblxc\.so\.1 ' | sed 's/.*=> //')" = /usr/lib/golxc/liblxc.so.1 ] || {
	echo "deb test: ldconfig's cache does not give /usr/lib/golxc/liblxc.so.1 first" >&2; exit 1; }
if in_root python3 -c 'import lxc' 2>/dev/null; then
	got=$(in_root python3 -c 'import lxc; print(lxc.get_global_config_item("golxc.library"))')
	[ "$got" = "golxc /usr/lib/golxc/liblxc.so.1" ] || {
		echo "deb test: python3-lxc after the install: $got" >&2; exit 1; }
fi

step "the demo's steps with the packaged tools"
cleanup() { in_root lxc-stop -P "$lp" -n "$name" -k >/dev/null 2>&1 || true
	in_root lxc-destroy -P "$lp" -n "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
demo() { step "$*"; in_root "$@" >&2; }
demo lxc-create -P "$lp" -n "$name" -t busybox -f /var/tmp/golxc-deb.conf
demo lxc-ls -P "$lp" --fancy
demo lxc-start -P "$lp" -n "$name"
demo lxc-wait -P "$lp" -n "$name" -s RUNNING -t 10
demo lxc-info -P "$lp" -n "$name"
demo lxc-attach -P "$lp" -n "$name" -- hostname
demo lxc-attach -P "$lp" -n "$name" -- true
demo lxc-stop -P "$lp" -n "$name" -t 10
demo lxc-info -P "$lp" -n "$name" -s
demo lxc-destroy -P "$lp" -n "$name"
[ -z "$(in_root lxc-ls -P "$lp" -1)" ] || { echo "deb test: lxc-ls still lists containers after lxc-destroy" >&2; exit 1; }
trap - EXIT

step "apt-get purge -y golxc"
in_root apt-get purge -y -q golxc >&2
if in_root dpkg-query -W -f='${Status}' golxc 2>/dev/null | grep -q installed; then
	echo "deb test: golxc still installed after apt-get purge" >&2
	exit 1
fi
if in_root python3 -c 'import lxc' 2>/dev/null &&
	in_root python3 -c 'import lxc; lxc.get_global_config_item("golxc.library")' 2>/dev/null; then
	echo "deb test: python3-lxc still gets golxc's library after the purge" >&2; exit 1
fi
list "$out/after.txt"
in_root ldconfig -p >"$out/ldconfig-after.txt"
in_root sh -c 'cat /var/lib/dpkg/info/*.list' | sort -u >"$out/owned.txt"
echo "deb test: round trip done" >&2
