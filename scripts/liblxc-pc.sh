#!/bin/sh
# liblxc-pc.sh LIBDIR: prints lxc.pc for golxc's liblxc.so.1 in LIBDIR.
# PKG_CONFIG_PATH=LIBDIR/pkgconfig pkg-config --cflags --libs lxc links a
# program to golxc's library, with an rpath so it keeps choosing it
# without LD_LIBRARY_PATH. The headers are Debian's lxc-dev (the ABI
# golxc's library implements).
set -eu
libdir=${1:?usage: liblxc-pc.sh LIBDIR}
cat <<PC
libdir=$libdir
includedir=/usr/include

Name: lxc
Description: golxc's liblxc: LXC 5.0.2's API on golxc
Version: 5.0.2
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -llxc
Cflags: -I\${includedir}
PC
