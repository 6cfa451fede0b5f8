#!/usr/bin/env bash
# make bench: golxc side by side with LXC 5.0.2 in the same run, on the same
# busybox rootfs, printing golxc/LXC ratios. LXC is installed here only as
# the comparison peer. Not part of make test.
#
# Every timed operation alternates golxc and LXC run by run, so drift in the
# machine's load hits both alike, and reports the median of the runs (a
# stray slow run moves a mean, not a median). Times come from bash's
# EPOCHREALTIME: no clock process is forked around the command timed.
# The sandbox rows (bench-sandbox.sh) put lxc-sandbox beside bwrap and
# systemd-nspawn. A second table counts what each operation does (bench-counts.sh): those
# counts say why a ratio is what it is, and do not move with the load.
set -euo pipefail
export PATH="/usr/local/bin:$PATH"
N=${BENCH_N:-20}          # runs per timed command and tool
MANY=${BENCH_MANY:-50}    # containers for the memory and lxc-ls -f figures
CN=${BENCH_COUNT_N:-10}   # runs per counted operation and tool
INFOS=${BENCH_INFOS:-1000} # lxc-info calls between the monitor's two RssAnon

if [ ! -x /usr/bin/lxc-start ]; then
	echo "bench: installing LXC 5.0.2 (Debian's lxc package) as the comparison peer"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q lxc >/dev/null
fi
# bpftrace counts what each operation does (scripts/bench-counts.bt); the
# timings are printed without it. BENCH_BPFTRACE names another bpftrace.
if [ -z "${BENCH_BPFTRACE:-}" ] && ! command -v bpftrace >/dev/null; then
	echo "bench: installing bpftrace (Debian's package) for the counts"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q bpftrace >/dev/null 2>&1 || true
fi
G=${BENCH_GOLXC:-/usr/local/bin}   # golxc's links (override to bench another build)
L=/usr/bin                         # LXC's tools

LP=$(mktemp -d /var/tmp/golxc-bench.XXXXXX)
BT=""             # the bpftrace process while the counts run
TRACEFS_MOUNTED="" # set when the counts mounted tracefs
cleanup() {
	if [ -n "$BT" ]; then kill "$BT" 2>/dev/null || true; wait "$BT" 2>/dev/null || true; fi
	! declare -F download_stop >/dev/null || download_stop
	[ -z "$TRACEFS_MOUNTED" ] || umount /sys/kernel/tracing || true
	for d in "$LP"/*/; do
		[ -d "$d" ] || continue
		n=$(basename "$d")
		$G/lxc-stop -P "$LP" -n "$n" -k >/dev/null 2>&1 || true
		$L/lxc-stop -P "$LP" -n "$n" -k >/dev/null 2>&1 || true
	done
	rm -rf "$LP" "/run/lxc/lock$LP" # both tools leave lock directories there
}
trap cleanup EXIT
trap 'exit 130' INT  # so that an interrupted bench still cleans up
trap 'exit 143' TERM
echo "lxc.net.0.type = empty" > "$LP/net.conf"
$G/lxc-create -P "$LP" -n g -t busybox -f "$LP/net.conf" >/dev/null
# clone NAME: a container sharing g's rootfs (LXC's and golxc's copies
# must not run under one name: their cgroups would collide).
clone() {
	mkdir -p "$LP/$1"
	sed "s#$LP/g/config#$LP/$1/config#g; s#^lxc.uts.name = .*#lxc.uts.name = $1#" "$LP/g/config" > "$LP/$1/config"
}
clone l

# ms CMD...: run CMD once, print its wall time in milliseconds.
ms() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	"$@" >/dev/null 2>&1 || true
	t1=${EPOCHREALTIME/./}
	echo $(( t1 - t0 ))
}
# median of the microsecond values on stdin, printed in ms.
median() { sort -n | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.2f\n", m/1000}'; }

start() { "$1/lxc-start" -P "$LP" -n "$2" && "$1/lxc-wait" -P "$LP" -n "$2" -s RUNNING -t 10; }
stop() { "$1/lxc-stop" -P "$LP" -n "$2" -k; }

# pair OP: N alternating runs of "OP TOOLS NAME" for golxc (container g)
# and LXC (container l); prints "golxc-median lxc-median".
pair() {
	local op=$1 i gf lf
	gf=$(mktemp) lf=$(mktemp)
	for i in $(seq "$N"); do
		$op "$G" g >> "$gf"
		$op "$L" l >> "$lf"
	done
	echo "$(median < "$gf") $(median < "$lf")"
	rm -f "$gf" "$lf"
}
op_execute() { ms "$1/lxc-execute" -P "$LP" -n "$2" -- /bin/true; }
op_start() { ms start "$1" "$2"; stop "$1" "$2" >/dev/null 2>&1; }
op_stop() { start "$1" "$2" >/dev/null 2>&1; ms stop "$1" "$2"; }
op_info() { ms "$1/lxc-info" -P "$LP" -n "$2"; }
op_wait() { ms "$1/lxc-wait" -P "$LP" -n "$2" -s RUNNING -t 10; }
op_attach() { ms "$1/lxc-attach" -P "$LP" -n "$2" -- /bin/true; }
# Storage: an overlay snapshot clone of an idle busybox container, an
# lxc-snapshot of such a clone, a full copy of a directory rootfs of
# COPY_MB MB (containers gs/ls and gb/lb, each tool's own, made by
# storage_setup: LXC clones only a rootfs whose path holds the name).
op_copysnap() { ms "$1/lxc-copy" -P "$LP" -n "$2s" -N "$2s-c" -s -B overlay; "$1/lxc-destroy" -P "$LP" -n "$2s-c" >/dev/null 2>&1; }
op_snapshot() {
	"$1/lxc-copy" -P "$LP" -n "$2s" -N "$2s-c" -s -B overlay >/dev/null 2>&1
	ms "$1/lxc-snapshot" -P "$LP" -n "$2s-c"
	"$1/lxc-destroy" -P "$LP" -n "$2s-c" -s >/dev/null 2>&1
}
op_copyfull() { sync; ms "$1/lxc-copy" -P "$LP" -n "$2b" -N "$2b-c"; "$1/lxc-destroy" -P "$LP" -n "$2b-c" >/dev/null 2>&1; }
COPY_MB=${BENCH_COPY_MB:-500}
# storage_setup: gb and lb, each with a COPY_MB MB rootfs (1 MiB files
# and a tree of small ones, as a real rootfs mixes both).
storage_setup() {
	local n
	$G/lxc-create -P "$LP" -n gs -t busybox -f "$LP/net.conf" >/dev/null
	$L/lxc-create -P "$LP" -n ls -t busybox -f "$LP/net.conf" >/dev/null 2>&1
	$G/lxc-create -P "$LP" -n gb -t busybox -f "$LP/net.conf" >/dev/null
	mkdir -p "$LP/gb/rootfs/big" "$LP/gb/rootfs/small"
	for n in $(seq "$COPY_MB"); do head -c 1M /dev/urandom > "$LP/gb/rootfs/big/f$n"; done
	for n in $(seq 2000); do echo "$n" > "$LP/gb/rootfs/small/s$n"; done
	mkdir -p "$LP/lb"
	cp -a "$LP/gb/rootfs" "$LP/lb/rootfs"
	sed "s#$LP/gb/#$LP/lb/#g; s#^lxc.uts.name = .*#lxc.uts.name = lb#" "$LP/gb/config" > "$LP/lb/config"
}

# settled_free: MemFree in KiB once caches and reclaimable slab are dropped
# (MemAvailable alone moves with whatever the kernel happens to cache).
settled_free() {
	sync; echo 3 > /proc/sys/vm/drop_caches || true
	sleep 1
	awk '/MemFree/ {print $2}' /proc/meminfo
}

# many TOOLS PREFIX: start MANY idle containers, print "KiB-per-container
# per-process-KiB ls-ms": the settled free memory drop per container, the
# containers' own processes' share (proc_share) and the median lxc-ls -f
# time over them.
many() {
	local tools=$1 p=$2 before after i f procs
	for i in $(seq "$MANY"); do clone "$p$i"; done
	before=$(settled_free)
	for i in $(seq "$MANY"); do "$tools/lxc-start" -P "$LP" -n "$p$i" >/dev/null 2>&1 || true; done
	# Idle means settled: golxc's monitors hibernate after 2 s without a
	# request (internal/nsexec, Hibernation).
	sleep 5
	after=$(settled_free)
	procs=$(proc_share "$p")
	f=$(mktemp)
	for i in $(seq "$N"); do ms "$tools/lxc-ls" -P "$LP" -f >> "$f"; done
	for i in $(seq "$MANY"); do "$tools/lxc-stop" -P "$LP" -n "$p$i" -k >/dev/null 2>&1 || true; rm -rf "${LP:?}/$p$i"; done
	echo "$(( (before - after) / MANY )) $procs $(median < "$f")"
	rm -f "$f"
}

# proc_share PREFIX: KiB per container held by its own processes, the
# monitor and everything under it (init and the payload): proportional set
# size (shared pages split among their users) plus page tables, plus 16 KiB
# of kernel stack per thread. The MemFree drop also moves with whatever
# else runs on the machine; this row does not.
proc_share() {
	local p=$1 i pid total=0 kib
	for i in $(seq "$MANY"); do
		pid=$(monitor_pid "$p$i")
		[ -n "$pid" ] || continue
		kib=$(for q in $pid $(descendants "$pid"); do
			awk '/^Pss:/ {s += $2} END {print s + 0}' "/proc/$q/smaps_rollup" 2>/dev/null
			awk '/^VmPTE:/ {s += $2} /^Threads:/ {s += 16 * $2} END {print s + 0}' "/proc/$q/status" 2>/dev/null
		done | awk '{s += $1} END {print s + 0}')
		total=$((total + kib))
	done
	echo $((total / MANY))
}
# descendants PID: every process under PID.
descendants() {
	ps -e -o pid=,ppid= | awk -v root="$1" '{kids[$2] = kids[$2] " " $1}
		END {n = split(kids[root], q, " "); for (i = 1; i <= n; i++) {print q[i]; m = split(kids[q[i]], more, " "); for (j = 1; j <= m; j++) q[++n] = more[j]}}'
}

# memory_rounds: MEM_ROUNDS rounds of many(), golxc and LXC alternating
# (the first side alternates too), printing the medians "golxc-KiB
# LXC-KiB golxc-proc-KiB LXC-proc-KiB golxc-ls-ms LXC-ls-ms". One
# reading of MemFree over 50 containers moved by hundreds of KiB per
# container with the machine's other work; a median of rounds taken in
# turn moves less.
MEM_ROUNDS=${BENCH_MEM_ROUNDS:-3}
memory_rounds() {
	local r gm lm gp lp gl ll d
	d=$(mktemp -d)
	for r in $(seq "$MEM_ROUNDS"); do
		if [ $((r % 2)) = 1 ]; then
			read -r gm gp gl <<< "$(many "$G" mg)"
			read -r lm lp ll <<< "$(many "$L" ml)"
		else
			read -r lm lp ll <<< "$(many "$L" ml)"
			read -r gm gp gl <<< "$(many "$G" mg)"
		fi
		echo "$gm" >> "$d/gm"; echo "$lm" >> "$d/lm"; echo "$gp" >> "$d/gp"; echo "$lp" >> "$d/lp"
		echo "$gl" >> "$d/gl"; echo "$ll" >> "$d/ll"
		echo "bench: memory round $r: golxc $gm KiB ($gp in its processes), LXC $lm KiB ($lp)" >&2
	done
	# median() takes microseconds: KiB * 1000 prints KiB.
	k() { awk '{print $1 * 1000}' "$1" | median; }
	echo "$(k "$d/gm") $(k "$d/lm") $(k "$d/gp") $(k "$d/lp") $(sort -n "$d/gl" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}') $(sort -n "$d/ll" | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}')"
	rm -rf "$d"
}

# monitor_pid NAME: the pid of NAME's monitor, found by the process title
# both golxc's and LXC's monitors carry ("[lxc monitor] LXCPATH NAME").
monitor_pid() {
	local p t
	for p in /proc/[0-9]*; do
		t=$( { tr '\0' ' ' < "$p/cmdline"; } 2>/dev/null) || continue
		case $t in "[lxc monitor] $LP $1"|"[lxc monitor] $LP $1 "*) echo "${p#/proc/}"; return ;; esac
	done
}
# rss_anon NAME: the anonymous memory (KiB) of NAME's monitor.
rss_anon() { awk '/^RssAnon:/ {print $2}' "/proc/$(monitor_pid "$1")/status" 2>/dev/null || echo 0; }
# monitor_growth: "golxc-before LXC-before golxc-after LXC-after", the
# monitors' RssAnon of idle g and l before and after INFOS lxc-info calls
# to each.
monitor_growth() {
	local i gb lb
	start "$G" g >/dev/null 2>&1
	start "$L" l >/dev/null 2>&1
	sleep 5 # idle: golxc's monitor hibernates after 2 s without a request
	gb=$(rss_anon g) lb=$(rss_anon l)
	for i in $(seq "$INFOS"); do
		"$G/lxc-info" -P "$LP" -n g >/dev/null 2>&1 || true
		"$L/lxc-info" -P "$LP" -n l >/dev/null 2>&1 || true
	done
	echo "$gb $lb $(rss_anon g) $(rss_anon l)"
	stop "$G" g >/dev/null 2>&1
	stop "$L" l >/dev/null 2>&1
}

. "$(dirname "$0")/bench-counts.sh"
. "$(dirname "$0")/bench-download.sh"

printf '%-36s %10s %10s %8s\n' "operation (median of $N, alternating)" "golxc" "LXC 5.0.2" "ratio"
row() { printf '%-36s %10s %10s %8s\n' "$1" "$2" "$3" "$(echo "scale=2; $2 / $3" | bc)"; }
rowp() { local label=$1; shift; read -r g l <<< "$("$@")"; row "$label" "$g" "$l"; }
rowp "lxc-execute -- /bin/true (ms)" pair op_execute
rowp "lxc-start -d + lxc-wait (ms)" pair op_start
rowp "lxc-stop -k (ms)" pair op_stop
start "$G" g >/dev/null 2>&1
start "$L" l >/dev/null 2>&1
rowp "lxc-info, running (ms)" pair op_info
rowp "lxc-wait -s RUNNING, running (ms)" pair op_wait
rowp "lxc-attach -- /bin/true (ms)" pair op_attach
stop "$G" g >/dev/null 2>&1
stop "$L" l >/dev/null 2>&1
# Before the storage rows: after their gigabytes of copies this VM's disk
# stays slow for minutes, and the download row (metadata-heavy unpacking)
# measured both tools several times slower.
rowp "lxc-create -t download, warm (ms)" download_pair
storage_setup
rowp "lxc-copy -s -B overlay (ms)" pair op_copysnap
rowp "lxc-snapshot of an overlay clone (ms)" pair op_snapshot
N=${BENCH_COPY_N:-5} rowp "lxc-copy, $COPY_MB MB dir rootfs (ms)" pair op_copyfull
rm -rf "${LP:?}/gs" "${LP:?}/ls" "${LP:?}/gb" "${LP:?}/lb"
read -r gmem lmem gproc lproc gls lls <<< "$(memory_rounds)"
row "memory per idle container (KiB)" "$gmem" "$lmem"
row "  its processes (KiB, Pss+PTE+stacks)" "$gproc" "$lproc"
# The same quantity traced from inside (scripts/bench-kmem.sh: what the
# runtimes' own tasks allocated and still hold, kernel side included):
# the MemFree drop above moves with the machine's other work, this does not.
read -r gk lk <<< "$(BENCH_GOLXC="$G" "$(dirname "$0")/bench-kmem.sh" "${BENCH_KMEM_N:-10}" 2>/dev/null | awk '$1 == "total" {printf "%s ", $2}')"
if [ -n "${lk:-}" ]; then
	row "  traced, kernel side included (KiB)" "$gk" "$lk"
else
	echo "bench: the traced memory row is missing (scripts/bench-kmem.sh failed; bpftrace?)"
fi
row "lxc-ls -f, $MANY running (ms)" "$gls" "$lls"
read -r gb lb ga la <<< "$(monitor_growth)"
row "monitor RssAnon, idle (KiB)" "$gb" "$lb"
row "  after $INFOS lxc-info (KiB)" "$ga" "$la"
echo
BENCH_GOLXC="$G" "$(dirname "$0")/bench-sandbox.sh" || echo "bench: the sandbox rows failed (scripts/bench-sandbox.sh)"
echo
counts_table
