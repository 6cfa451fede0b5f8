#!/bin/bash
# install-boot.sh [--remove]: golxc's boot integration (make install,
# make uninstall, make deb), from dist/:
#   LIBEXECDIR/golxc-containers  starts the lxc.start.auto containers
#                                (lxc-autostart), as LXC's lxc-containers
#   SYSTEMDDIR/lxc.service, lxc-net.service   where systemd is PID 1
#   INITDIR/lxc, lxc-net                      otherwise (plain init scripts)
# The units keep LXC's names: in /usr/local/lib/systemd/system they take
# precedence over Debian's LXC units in /lib/systemd/system, so the
# containers are autostarted once, by golxc. An init script that exists and
# is not golxc's (Debian's /etc/init.d/lxc) is left alone, with a warning.
#
# Environment: DESTDIR, BINDIR, LIBEXECDIR, SYSTEMDDIR, INITDIR (absolute,
# without DESTDIR) and BOOT: auto (default: systemd if it is PID 1, else
# init scripts), systemd, sysv, all (both, for packages), none.
# Services are enabled only when installing for real (no DESTDIR).
set -euo pipefail
: "${BINDIR:?}" "${LIBEXECDIR:?}" "${SYSTEMDDIR:?}" "${INITDIR:=/etc/init.d}"
DESTDIR=${DESTDIR:-}
BOOT=${BOOT:-auto}
mode=${1:-install}
src=$(cd "$(dirname "$0")/../dist" && pwd)
marker="# golxc: installed by golxc"

if [ "$BOOT" = auto ]; then
	if [ -d /run/systemd/system ]; then BOOT=systemd; else BOOT=sysv; fi
fi
systemd=false sysv=false
case $BOOT in
systemd) systemd=true ;;
sysv) sysv=true ;;
all) systemd=true sysv=true ;;
none) ;;
*) echo "install-boot: BOOT=$BOOT: use auto, systemd, sysv, all or none" >&2; exit 1 ;;
esac
live=false
[ -z "$DESTDIR" ] && live=true

ours() { [ -f "$1" ] && grep -qF "$marker" "$1"; }

# put TEMPLATE DEST MODE: DEST from dist/TEMPLATE with the paths filled in,
# unless DEST exists and is not golxc's.
put() {
	local dest=$DESTDIR$2
	if [ -e "$dest" ] && ! ours "$dest" && [ "$1" != golxc-containers.in ]; then
		echo "install-boot: $dest exists and is not golxc's: left alone" >&2
		return 1
	fi
	install -d "$(dirname "$dest")"
	sed -e "s|@BINDIR@|$BINDIR|g" -e "s|@LIBEXECDIR@|$LIBEXECDIR|g" "$src/$1" >"$dest.tmp"
	chmod "$3" "$dest.tmp"
	mv -f "$dest.tmp" "$dest"
}

if [ "$mode" = --remove ]; then
	for u in lxc.service lxc-net.service; do
		f=$DESTDIR$SYSTEMDDIR/$u
		ours "$f" || continue
		# Disable only when no other unit of that name remains (LXC's).
		if $live && command -v systemctl >/dev/null && [ -d /run/systemd/system ] &&
			[ ! -e /lib/systemd/system/$u ] && [ ! -e /usr/lib/systemd/system/$u ]; then
			systemctl disable "$u" >/dev/null 2>&1 || true
		fi
		rm -f "$f"
	done
	if $live && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl daemon-reload || true
	fi
	for s in lxc lxc-net; do
		f=$DESTDIR$INITDIR/$s
		ours "$f" || continue
		rm -f "$f"
		if $live && command -v update-rc.d >/dev/null; then update-rc.d "$s" remove >/dev/null || true; fi
	done
	rm -f "$DESTDIR$LIBEXECDIR/golxc-containers"
	exit 0
fi

put golxc-containers.in "$LIBEXECDIR/golxc-containers" 0755
if $systemd; then
	put systemd/lxc-net.service.in "$SYSTEMDDIR/lxc-net.service" 0644 || true
	put systemd/lxc.service.in "$SYSTEMDDIR/lxc.service" 0644 || true
	if $live && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
		systemctl daemon-reload
		systemctl enable lxc-net.service lxc.service
	fi
fi
if $sysv; then
	for s in lxc-net lxc; do
		if put "init.d/$s.in" "$INITDIR/$s" 0755 && $live && command -v update-rc.d >/dev/null; then
			update-rc.d "$s" defaults >/dev/null || true
		fi
	done
fi
exit 0
