#!/bin/sh
# build-liblxc.sh OUTDIR: builds golxc's C library into OUTDIR, as make
# liblxc does (and the tests, which call this script):
#   liblxc.so.1       the shim the dynamic linker finds (cmd/liblxc/shim,
#                     C): nothing runs when it is loaded; the first call
#                     of an LXC function loads the next file and forwards
#   libgolxc-capi.so  golxc's library proper (cmd/liblxc, Go c-shared),
#                     which the shim looks for in its own directory
# Both export LXC's API only (cmd/liblxc/liblxc.map).
set -eu
out=${1:?usage: build-liblxc.sh OUTDIR}
cd "$(dirname "$0")/.."
map=$PWD/cmd/liblxc/liblxc.map
mkdir -p "$out"
CGO_ENABLED=1 ${GO:-go} build -trimpath -buildmode=c-shared \
	-ldflags "-s -w -extldflags \"-Wl,-soname,libgolxc-capi.so -Wl,--version-script=$map\"" \
	-o "$out/libgolxc-capi.so" ./cmd/liblxc
rm -f "$out/libgolxc-capi.h"
# -nostartfiles: no constructor at all (not even the C runtime's frame_dummy);
# -s: stripped, as the Go library (-s -w);
# LXC_LIBDIR: where Debian's liblxc1 is, for the error message.
multiarch=$(${CC:-gcc} -print-multiarch 2>/dev/null || true)
${CC:-gcc} -shared -fPIC -O2 -s -Wall -Wextra -Werror -nostartfiles -Wl,-z,defs \
	-DLXC_LIBDIR="\"/usr/lib${multiarch:+/$multiarch}\"" \
	-Wl,-soname,liblxc.so.1 -Wl,--version-script="$map" \
	-o "$out/liblxc.so.1" cmd/liblxc/shim/liblxc.c
