#!/bin/sh
# liblxc-pc.sh LIBDIR INCLUDEDIR: prints lxc.pc for golxc's liblxc.so.1 in
# LIBDIR and golxc's headers in INCLUDEDIR/lxc. make install writes it to
# PREFIX/lib/pkgconfig, which pkg-config reads before lxc-dev's, so
# pkg-config --cflags --libs lxc builds a program with golxc's headers and
# library; the rpath keeps it there where LIBDIR is not a directory the
# dynamic linker searches (another PREFIX, the package's /usr/lib/golxc).
set -eu
libdir=${1:?usage: liblxc-pc.sh LIBDIR INCLUDEDIR}
includedir=${2:?usage: liblxc-pc.sh LIBDIR INCLUDEDIR}
cat <<PC
libdir=$libdir
includedir=$includedir

Name: lxc
Description: golxc's liblxc: LXC 5.0.2's API on golxc
Version: 5.0.2
Libs: -L\${libdir} -Wl,-rpath,\${libdir} -llxc
Cflags: -I\${includedir}
PC
