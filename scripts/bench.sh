#!/usr/bin/env bash
# make bench: golxc side by side with LXC 5.0.2 in the same run, on the same
# busybox container, printing golxc/LXC ratios. LXC is installed here only
# as the comparison peer. Not part of make test.
set -euo pipefail
export PATH="/usr/local/bin:$PATH"
N=${BENCH_N:-20}          # repetitions per timed command
MANY=${BENCH_MANY:-50}    # containers for the memory and lxc-ls -f figures

if [ ! -x /usr/bin/lxc-start ]; then
	echo "bench: installing LXC 5.0.2 (Debian's lxc package) as the comparison peer"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q lxc >/dev/null
fi
G=${BENCH_GOLXC:-/usr/local/bin}   # golxc's links (override to bench another build)
L=/usr/bin         # LXC's tools

LP=$(mktemp -d /var/tmp/golxc-bench.XXXXXX)
cleanup() {
	for d in "$LP"/*/; do
		n=$(basename "$d")
		$G/lxc-stop -P "$LP" -n "$n" -k >/dev/null 2>&1 || true
		$L/lxc-stop -P "$LP" -n "$n" -k >/dev/null 2>&1 || true
	done
	rm -rf "$LP"
}
trap cleanup EXIT
echo "lxc.net.0.type = empty" > "$LP/net.conf"
$G/lxc-create -P "$LP" -n bench -t busybox -f "$LP/net.conf" >/dev/null

now() { date +%s%N; }
# avg_ms CMD...: mean wall time of N runs, in milliseconds.
avg_ms() {
	local t0 t1
	t0=$(now)
	for _ in $(seq "$N"); do "$@" >/dev/null 2>&1 || true; done
	t1=$(now)
	echo "scale=2; ($t1 - $t0) / $N / 1000000" | bc
}
startwait() { "$1/lxc-start" -P "$LP" -n bench && "$1/lxc-wait" -P "$LP" -n bench -s RUNNING -t 10; }
stopk() { "$1/lxc-stop" -P "$LP" -n bench -k; }
cycle_start() { local t=0 t0; for _ in $(seq "$N"); do t0=$(now); startwait "$1" >/dev/null 2>&1; t=$((t + $(now) - t0)); stopk "$1" >/dev/null 2>&1; done; echo "scale=2; $t / $N / 1000000" | bc; }
cycle_stop() { local t=0 t0; for _ in $(seq "$N"); do startwait "$1" >/dev/null 2>&1; t0=$(now); stopk "$1" >/dev/null 2>&1; t=$((t + $(now) - t0)); done; echo "scale=2; $t / $N / 1000000" | bc; }
info_running() { startwait "$1" >/dev/null 2>&1; local r; r=$(avg_ms "$1/lxc-info" -P "$LP" -n bench); stopk "$1" >/dev/null 2>&1; echo "$r"; }
# many TOOLS: start MANY idle containers, print "KiB-per-container ls-ms":
# the MemAvailable drop per container and the mean lxc-ls -f time over them.
many() {
	local tools=$1 before after i ls
	for i in $(seq "$MANY"); do
		mkdir -p "$LP/m$i"; sed "s#$LP/bench#$LP/m$i#g; s#\"bench\"#\"m$i\"#" "$LP/bench/config" > "$LP/m$i/config"
		sed -i "s#^lxc.rootfs.path = .*#lxc.rootfs.path = dir:$LP/bench/rootfs#" "$LP/m$i/config"
	done
	sync; echo 1 > /proc/sys/vm/drop_caches || true
	before=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
	for i in $(seq "$MANY"); do "$tools/lxc-start" -P "$LP" -n "m$i" >/dev/null 2>&1 || true; done
	sleep 2
	after=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
	ls=$(avg_ms "$tools/lxc-ls" -P "$LP" -f)
	for i in $(seq "$MANY"); do "$tools/lxc-stop" -P "$LP" -n "m$i" -k >/dev/null 2>&1 || true; rm -rf "$LP/m$i"; done
	echo "$(( (before - after) / MANY )) $ls"
}
attach_running() { startwait "$1" >/dev/null 2>&1; local r; r=$(avg_ms "$1/lxc-attach" -P "$LP" -n bench -- /bin/true); stopk "$1" >/dev/null 2>&1; echo "$r"; }

printf '%-34s %10s %10s %8s\n' "operation (mean of $N)" "golxc" "LXC 5.0.2" "ratio"
row() { printf '%-34s %10s %10s %8s\n' "$1" "$2" "$3" "$(echo "scale=2; $2 / $3" | bc)"; }
row "lxc-execute -- /bin/true (ms)" "$(avg_ms $G/lxc-execute -P "$LP" -n bench -- /bin/true)" "$(avg_ms $L/lxc-execute -P "$LP" -n bench -- /bin/true)"
row "lxc-start -d + lxc-wait (ms)" "$(cycle_start $G)" "$(cycle_start $L)"
row "lxc-stop -k (ms)" "$(cycle_stop $G)" "$(cycle_stop $L)"
row "lxc-info, running (ms)" "$(info_running $G)" "$(info_running $L)"
row "lxc-attach -- /bin/true (ms)" "$(attach_running $G)" "$(attach_running $L)"
read -r gmem gls <<< "$(many $G)"
read -r lmem lls <<< "$(many $L)"
row "memory per idle container (KiB)" "$gmem" "$lmem"
row "lxc-ls -f, $MANY running (ms)" "$gls" "$lls"
