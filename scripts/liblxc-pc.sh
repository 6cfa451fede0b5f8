#!/bin/sh
# liblxc-pc.sh LIBDIR: prints lxc.pc for golxc's liblxc.so.1 in LIBDIR.
# make install writes it to PREFIX/lib/pkgconfig, which pkg-config reads
# before lxc-dev's, so pkg-config --cflags --libs lxc links a program to
# golxc's library; the rpath keeps it there where LIBDIR is not one the
# dynamic linker searches (another PREFIX, the package's /usr/lib/golxc).
# The headers are Debian's lxc-dev (the ABI golxc's library implements).
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
