#!/usr/bin/env bash
# Installs, from Debian's packages, what golxc's build, demo and tests need
# and the machine lacks. Idempotent; needs root.
set -euo pipefail
need=()
have() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'ok installed'; }
for p in busybox-static gcc libc6-dev musl-tools make iproute2 util-linux uidmap tmux dnsmasq-base nftables debootstrap rsync wget; do
	have "$p" || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
	echo "deps: installing ${need[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q >/dev/null
	apt-get install -y -q "${need[@]}" >/dev/null
fi
if ! command -v go >/dev/null && [ ! -x /usr/local/go/bin/go ]; then
	echo "deps: Go is missing; install Go 1.23 or newer at /usr/local/go" >&2
	exit 1
fi
