#!/usr/bin/env bash
# The main job, end to end, with the installed golxc tools: a busybox
# container is created, started, listed, inspected, stopped and destroyed.
# Runs in its own lxcpath so it never touches the user's containers.
set -euo pipefail
export PATH="/usr/local/bin:$PATH"
LP=$(mktemp -d /tmp/golxc-demo.XXXXXX)
NAME=demo1
CONF="$LP/demo.conf"
cleanup() {
	lxc-stop -P "$LP" -n "$NAME" -k >/dev/null 2>&1 || true
	lxc-destroy -P "$LP" -n "$NAME" >/dev/null 2>&1 || true
	rm -rf "$LP"
}
trap cleanup EXIT
step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

# Networking (veth on lxcbr0) arrives with a later issue: the demo container
# has only a loopback interface.
echo "lxc.net.0.type = empty" > "$CONF"
step lxc-create -P "$LP" -n "$NAME" -t busybox -f "$CONF"
step lxc-ls -P "$LP" --fancy
step lxc-info -P "$LP" -n "$NAME" -c lxc.rootfs.path -H
step lxc-start -P "$LP" -n "$NAME"
step lxc-wait -P "$LP" -n "$NAME" -s RUNNING -t 10
step lxc-ls -P "$LP" -f -F NAME,STATE,PID,RAM,INTERFACE
step lxc-info -P "$LP" -n "$NAME"
step lxc-attach -P "$LP" -n "$NAME" -- hostname
step lxc-attach -P "$LP" -n "$NAME" -- ps
step lxc-stop -P "$LP" -n "$NAME" -t 10
step lxc-info -P "$LP" -n "$NAME" -s
step lxc-destroy -P "$LP" -n "$NAME"
step lxc-ls -P "$LP" -1
echo
echo "demo: OK"
