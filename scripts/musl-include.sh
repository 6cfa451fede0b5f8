#!/bin/sh
# musl-include.sh DIR: makes DIR hold the kernel's UAPI headers (linux/,
# asm/, asm-generic/, as symlinks into /usr/include) for a musl-gcc build
# of golxc (Makefile, test/integration's harness). musl-gcc searches musl's
# headers only (-nostdinc), and Debian's musl-dev ships no kernel headers;
# golxc's C needs <linux/...>. Only these three directories are exposed: an
# -idirafter /usr/include would also let glibc's own headers stand in for
# anything musl lacks and mix the two C libraries silently. Idempotent.
set -eu
dir=${1:?usage: musl-include.sh DIR}
inc=/usr/include
multiarch=$(${REALGCC:-gcc} -print-multiarch 2>/dev/null || true)
asm=$inc/asm
[ -n "$multiarch" ] && [ -d "$inc/$multiarch/asm" ] && asm=$inc/$multiarch/asm
for d in "$inc/linux" "$inc/asm-generic" "$asm"; do
	[ -d "$d" ] || { echo "musl-include.sh: $d missing (Debian: linux-libc-dev)" >&2; exit 1; }
done
mkdir -p "$dir"
ln -sfn "$inc/linux" "$dir/linux"
ln -sfn "$inc/asm-generic" "$dir/asm-generic"
ln -sfn "$asm" "$dir/asm"
