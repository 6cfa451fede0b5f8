#!/bin/bash
# mkdeb.sh OUTDIR: builds golxc_VERSION_ARCH.deb from bin/ (make build and
# make liblxc; or $GOLXC, $USERNIC, $IMAGE, $GOLXC_QUERY and $LIBLXC, the
# directory build-liblxc.sh wrote) with
# dpkg-deb alone (no debhelper). It holds what make install puts in place,
# under /usr: golxc and its lxc-* links (the implemented tools only), the
# setuid lxc-user-nic, the image helper golxc-image, golxc's liblxc.so.1
# (the shim, and libgolxc-capi.so beside it) in /usr/lib/golxc with its
# liblxc.so link and lxc.pc (golxc's headers in /usr/include/golxc), made the
# system's liblxc.so.1 by /etc/ld.so.conf.d/golxc-liblxc.conf, which
# ldconfig reads before x86_64-linux-gnu.conf (Debian's liblxc1 owns
# /usr/lib/MULTIARCH/liblxc.so.1: the package must not ship that path; an
# ldconfig trigger rebuilds the cache on install and removal), the man
# pages (gzipped), bash completion,
# the boot integration (systemd units and init scripts, both, as Debian
# packages ship them) and the Debian metadata.
#
# golxc installs INSTEAD of Debian's lxc: both own /usr/bin/lxc-*, the
# lxc-* man pages, lxc.service and /etc/init.d/lxc, so it Conflicts with
# and Replaces lxc, and Provides lxc (= 1:5.0.2), the interface it
# implements, so lxc-templates and the like stay installable. LXC's
# liblxc1/liblxc-common (the C library, templates) may stay.
set -euo pipefail
out=${1:?usage: mkdeb.sh OUTDIR}
cd "$(dirname "$0")/.."
golxc=${GOLXC:-bin/golxc} usernic=${USERNIC:-bin/lxc-user-nic} image=${IMAGE:-bin/golxc-image}
query=${GOLXC_QUERY:-bin/golxc-query} libdir=${LIBLXC:-bin}
[ -x "$golxc" ] && [ -x "$usernic" ] && [ -x "$image" ] && [ -x "$query" ] || { echo "mkdeb: run make build first" >&2; exit 1; }
[ -f "$libdir/liblxc.so.1" ] && [ -f "$libdir/libgolxc-capi.so" ] || { echo "mkdeb: $libdir/liblxc.so.1 or libgolxc-capi.so missing: run make liblxc first" >&2; exit 1; }

version=${DEB_VERSION:-$("$golxc" version | awk '{print $2}')}
maintainer=${DEB_MAINTAINER:-golxc developers <golxc@users.noreply.github.com>}
arch=$(dpkg --print-architecture)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"

install -D -m 0755 "$golxc" "$stage/usr/bin/golxc"
install -D -m 0755 "$query" "$stage/usr/bin/golxc-query"
./scripts/install-links.sh "$stage/usr/bin"
install -D -m 4755 "$usernic" "$stage/usr/libexec/golxc/lxc-user-nic"
install -D -m 0755 "$image" "$stage/usr/libexec/golxc/golxc-image"
# A directory of golxc's own that ld.so.conf.d puts before Debian's
# liblxc1 (README, "The C and Python API").
install -D -m 0644 "$libdir/liblxc.so.1" "$stage/usr/lib/golxc/liblxc.so.1"
install -D -m 0644 "$libdir/libgolxc-capi.so" "$stage/usr/lib/golxc/libgolxc-capi.so"
install -d "$stage/etc/ld.so.conf.d"
cat >"$stage/etc/ld.so.conf.d/golxc-liblxc.conf" <<'LDCONF'
# golxc's liblxc.so.1 (package golxc), before Debian's liblxc1 in the
# multiarch directory (x86_64-linux-gnu.conf and the like sort after).
/usr/lib/golxc
LDCONF
chmod 0644 "$stage/etc/ld.so.conf.d/golxc-liblxc.conf"
ln -s liblxc.so.1 "$stage/usr/lib/golxc/liblxc.so"
install -d "$stage/usr/lib/golxc/pkgconfig"
./scripts/liblxc-pc.sh /usr/lib/golxc /usr/include/golxc >"$stage/usr/lib/golxc/pkgconfig/lxc.pc"
# golxc's headers, beside lxc-dev's /usr/include/lxc (lxc.pc's Cflags)
install -D -m 0644 -t "$stage/usr/include/golxc/lxc" cmd/liblxc/include/lxc/lxccontainer.h \
	cmd/liblxc/include/lxc/attach_options.h cmd/liblxc/include/lxc/version.h
chmod 0644 "$stage/usr/lib/golxc/pkgconfig/lxc.pc"
# The libraries are golxc's only dynamically linked files: the C library
# they need, from the newest symbol version they use (read with Go's
# debug/elf: binutils' objdump need not be installed, and no version is
# guessed).
glibc=
for lib in "$libdir/liblxc.so.1" "$libdir/libgolxc-capi.so"; do
	v=$(go run ./scripts/glibc-need "$lib") || { echo "mkdeb: cannot tell which C library $lib needs (above)" >&2; exit 1; }
	glibc=$(printf '%s\n%s\n' "$glibc" "$v" | sort -V | tail -n 1)
done

"$golxc" man "$stage/usr/share/man"
find "$stage/usr/share/man" -type f -exec gzip -9n {} +

comp=$stage/usr/share/bash-completion/completions
install -d "$comp"
"$golxc" completion >"$comp/golxc"
chmod 0644 "$comp/golxc"
GOLXC_LIST=$golxc ./scripts/install-links.sh "$comp"

DESTDIR=$stage BINDIR=/usr/bin LIBEXECDIR=/usr/libexec/golxc SYSTEMDDIR=/lib/systemd/system \
	INITDIR=/etc/init.d BOOT=all ./scripts/install-boot.sh

doc=$stage/usr/share/doc/golxc
install -d "$doc"
cat >"$doc/copyright" <<COPYRIGHT
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: golxc
Comment: LXC 5.0.2's tools reimplemented in Go (an independent
 implementation: no LXC code). See the golxc repository for its license.

Files: *
Copyright: 2026 the golxc authors
License: see-repository
 The license is the one stated in the golxc source repository.
COPYRIGHT
printf 'golxc (%s) unstable; urgency=medium\n\n  * Built from commit %s.\n\n -- %s  %s\n' \
	"$version" "$("$golxc" version | sed -n 's/.*commit \([^,]*\),.*/\1/p')" "$maintainer" "$(date -R)" | gzip -9n >"$doc/changelog.gz"

# golxc is static on purpose: lxc-execute runs it inside root file systems
# that have no C library; golxc-query is a pure Go program (Go links
# those statically); lxc-user-nic is setuid root (LXC's is too). The
# ld.so.conf.d entry is the point of golxc's liblxc.so.1: the system's
# liblxc in place of liblxc1's, whose path the package must not own; the
# ldconfig trigger is needed for it (lintian looks only for libraries in
# the standard directories).
install -d "$stage/usr/share/lintian/overrides"
cat >"$stage/usr/share/lintian/overrides/golxc" <<'OVERRIDES'
golxc: statically-linked-binary [usr/bin/golxc]
golxc: statically-linked-binary [usr/bin/golxc-query]
golxc: statically-linked-binary [usr/libexec/golxc/lxc-user-nic]
golxc: statically-linked-binary [usr/libexec/golxc/golxc-image]
golxc: elevated-privileges 4755 root/root [usr/libexec/golxc/lxc-user-nic]
golxc: package-modifies-ld.so-search-path [etc/ld.so.conf.d/golxc-liblxc.conf]
golxc: package-has-unnecessary-activation-of-ldconfig-trigger
OVERRIDES

# golxc linked with musl (the Makefile's GOLXC_LIBC) carries musl's code:
# Debian policy names that source in Built-Using.
builtusing=
if [ "${GOLXC_LIBC:-}" = musl ]; then
	builtusing=$(dpkg-query -W -f='Built-Using: ${source:Package} (= ${source:Version})' musl-dev)
fi

install -d "$stage/DEBIAN"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: golxc
Version: $version
Architecture: $arch
Maintainer: $maintainer
Installed-Size: $size
Section: admin
Priority: optional
Provides: lxc (= 1:5.0.2)
Depends: libc6 (>= $glibc)
${builtusing:+$builtusing
}Conflicts: lxc
Replaces: lxc
Recommends: dnsmasq-base, nftables | iptables, uidmap, busybox-static
Suggests: lxc-templates, debootstrap, lxc-dev
Homepage: https://github.com/golxc/golxc
Description: LXC 5.0.2's lxc-* tools, reimplemented in Go
 golxc is one static binary behind lxc-attach, lxc-start, lxc-ls and the
 other lxc-* commands: same options, output, exit codes, configuration keys
 and on-disk layout as LXC 5.0.2, without liblxc. It replaces the lxc
 package (its tools, man pages, completion and the lxc and lxc-net
 services); containers in /var/lib/lxc keep working. It also ships
 golxc's liblxc.so.1 (LXC 5.0.2's C API, for C programs and python3-lxc),
 which the dynamic linker prefers to liblxc1's; it loads golxc's library
 on the first API call, so LXC's own programs are not affected.
CONTROL
printf '/etc/init.d/lxc\n/etc/init.d/lxc-net\n/etc/ld.so.conf.d/golxc-liblxc.conf\n' >"$stage/DEBIAN/conffiles"
# ldconfig's cache gains or loses /usr/lib/golxc (as debhelper's packages
# of libraries do it: libc-bin's trigger, no ldconfig call in the scripts).
echo 'activate-noawait ldconfig' >"$stage/DEBIAN/triggers"

cat >"$stage/DEBIAN/postinst" <<'POSTINST'
#!/bin/sh
# golxc: enable the boot services (containers come back after a reboot),
# as debhelper's snippets do, and bring up lxc-net now.
set -e
# Installed into another root (dpkg --root/--instdir): not this system's.
[ -z "${DPKG_ROOT:-}" ] || exit 0
if [ "$1" = configure ]; then
	if command -v deb-systemd-helper >/dev/null; then
		for unit in lxc-net.service lxc.service; do
			deb-systemd-helper unmask "$unit" >/dev/null || true
			deb-systemd-helper enable "$unit" >/dev/null || true
		done
	fi
	if [ -x /etc/init.d/lxc ] && command -v update-rc.d >/dev/null; then
		update-rc.d lxc-net defaults >/dev/null || true
		update-rc.d lxc defaults >/dev/null || true
	fi
	if [ -d /run/systemd/system ]; then
		systemctl --system daemon-reload >/dev/null || true
	fi
	if command -v deb-systemd-invoke >/dev/null && [ -d /run/systemd/system ]; then
		deb-systemd-invoke start lxc-net.service >/dev/null || true
	elif command -v invoke-rc.d >/dev/null; then
		invoke-rc.d lxc-net start || true
	fi
fi
exit 0
POSTINST
cat >"$stage/DEBIAN/postrm" <<'POSTRM'
#!/bin/sh
# golxc: the boot services go with the package; running containers are
# left running (they are not the package's).
set -e
[ -z "${DPKG_ROOT:-}" ] || exit 0
if [ -d /run/systemd/system ]; then
	systemctl --system daemon-reload >/dev/null || true
fi
if [ "$1" = remove ] && command -v deb-systemd-helper >/dev/null; then
	deb-systemd-helper mask lxc.service lxc-net.service >/dev/null || true
fi
if [ "$1" = purge ]; then
	if command -v deb-systemd-helper >/dev/null; then
		deb-systemd-helper purge lxc.service lxc-net.service >/dev/null || true
		deb-systemd-helper unmask lxc.service lxc-net.service >/dev/null || true
	fi
	if command -v update-rc.d >/dev/null; then
		update-rc.d lxc remove >/dev/null || true
		update-rc.d lxc-net remove >/dev/null || true
	fi
fi
exit 0
POSTRM
chmod 0755 "$stage/DEBIAN/postinst" "$stage/DEBIAN/postrm"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z | xargs -0 md5sum) >"$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums" "$stage/DEBIAN/control" "$stage/DEBIAN/conffiles" "$stage/DEBIAN/triggers"

mkdir -p "$out"
deb=$out/golxc_${version}_${arch}.deb
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$deb"
