# bench-counts.sh, sourced by bench.sh: the counts table. For each operation
# of the timing table, the mean over CN alternating runs of what golxc and
# LXC do: Go runtimes started, execs, threads created, user page faults,
# context switches (the task blocked) and preemptions of the tool, all its
# children and the container's monitor (bench-counts.bt says how they are
# tracked and counted). Unlike times, these do not move with the machine's
# load (preemptions excepted), and they say why a ratio is what it is.
# Uses bench.sh's G, L, LP, CN, BT, TRACEFS_MOUNTED, start, stop and
# monitor_pid.

BT_SCRIPT="$(dirname "${BASH_SOURCE[0]}")/bench-counts.bt"
BPFTRACE=${BENCH_BPFTRACE:-bpftrace}

# gone PID: PID has exited (no such process, or a zombie).
gone() {
	local l
	read -r l < "/proc/$1/stat" 2>/dev/null || return 0
	l=${l##*) }
	[ "${l:0:1}" = Z ]
}

# counted SIDE OP: run "OP TOOLS NAME" for side g (golxc's tools, container
# g) or l (LXC's, container l) in a subshell that the tracer tracks and
# counts in a window of its own; WINDOWS gets which op the window ran. With
# GONE set, the window stays open until that pid (the monitor a stop ends)
# has exited, so its teardown counts too. The subshell waits with builtins
# only (read -t on the fifo at fd 9): an exec there would be counted.
counted() {
	local side=$1 op=$2 tools=$G
	[ "$side" = l ] && tools=$L
	echo "$op $side" >> "$WINDOWS"
	(
		printf '~B%s' "$side" > "/proc/$BASHPID/comm"
		"$op" "$tools" "$side" >/dev/null 2>&1 || true
		if [ -n "${GONE:-}" ]; then
			until gone "$GONE"; do read -r -t 0.01 -u 9 _ || true; done
		fi
		printf '~Bx' > "/proc/$BASHPID/comm"
	)
}
# tracked SIDE OP: the same without a window: what it starts (a monitor) is
# tracked as SIDE's, for the windows to come.
tracked() {
	local side=$1 op=$2 tools=$G
	[ "$side" = l ] && tools=$L
	(
		printf '~Bt%s' "$side" > "/proc/$BASHPID/comm"
		"$op" "$tools" "$side" >/dev/null 2>&1 || true
	)
}
# stop_tracked SIDE: stop SIDE's container and wait for its monitor to exit,
# so that no teardown spills into the next window.
stop_tracked() {
	local m
	m=$(monitor_pid "$1")
	tracked "$1" stop
	[ -z "$m" ] || until gone "$m"; do sleep 0.01; done
}

c_execute() { "$1/lxc-execute" -P "$LP" -n "$2" -- /bin/true; }
c_start() { start "$1" "$2"; }
c_stop() { stop "$1" "$2"; }
c_info() { "$1/lxc-info" -P "$LP" -n "$2"; }
c_wait() { "$1/lxc-wait" -P "$LP" -n "$2" -s RUNNING -t 10; }
c_attach() { "$1/lxc-attach" -P "$LP" -n "$2" -- /bin/true; }

# run_counted: the windows, each op CN times alternating golxc and LXC, in
# the order of the timing table.
run_counted() {
	local i s op
	for i in $(seq "$CN"); do for s in g l; do counted "$s" c_execute; done; done
	for i in $(seq "$CN"); do for s in g l; do counted "$s" c_start; stop_tracked "$s"; done; done
	for i in $(seq "$CN"); do
		for s in g l; do
			tracked "$s" start
			GONE=$(monitor_pid "$s") counted "$s" c_stop
		done
	done
	tracked g start
	tracked l start
	for op in c_info c_wait c_attach; do
		for i in $(seq "$CN"); do for s in g l; do counted "$s" "$op"; done; done
	done
	stop_tracked g
	stop_tracked l
}

# counts_rows OUT: the table from bpftrace's maps in OUT ("@faults[7]: 437",
# by window) and WINDOWS (line 7 is "c_info g"); fails when bpftrace did not
# see every window.
counts_rows() {
	awk -v runs="$CN" '
	function fmt(v) { v /= runs; return v >= 100 ? sprintf("%.0f", v) : v == int(v) ? v : sprintf("%.1f", v) }
	FNR == NR { op[NR] = $1; side[NR] = $2; nwin = NR; next }
	/^@(goruntimes|execs|threads|faults|switches|preempted)\[[0-9]+\]: / {
		split($1, a, /[][]/); sum[op[a[2]], side[a[2]], substr(a[1], 2)] += $2
	}
	/^@win: / { seen = $2 }
	END {
		if (seen != nwin) { printf "counts: not printed: bpftrace saw %d of the %d windows\n", seen, nwin; exit 1 }
		n = split("c_info c_wait c_stop c_attach c_execute c_start", ops, " ")
		label["c_info"] = "lxc-info, running"; label["c_wait"] = "lxc-wait -s RUNNING, running"
		label["c_stop"] = "lxc-stop -k"; label["c_attach"] = "lxc-attach -- /bin/true"
		label["c_execute"] = "lxc-execute -- /bin/true"; label["c_start"] = "lxc-start -d + lxc-wait"
		split("goruntimes execs threads faults switches preempted", ms, " ")
		for (i = 1; i <= n; i++) {
			printf "%-36s", label[ops[i]]
			for (j = 1; j <= 6; j++) printf " %12s", fmt(sum[ops[i], "g", ms[j]]) "/" fmt(sum[ops[i], "l", ms[j]])
			printf "\n"
		}
	}' "$WINDOWS" "$1"
}

# counts_table: start bpftrace, run the windows, print the table, or say
# why there is none.
counts_table() {
	local out=$LP/bpftrace.out i rows msg
	WINDOWS=$LP/windows
	: > "$WINDOWS"
	if ! command -v "$BPFTRACE" >/dev/null; then
		echo "counts: not printed: $BPFTRACE is missing (apt-get install bpftrace failed?)"
		return
	fi
	# bpftrace finds tracepoints in tracefs; bench.sh's cleanup unmounts it
	# if mounted here.
	if [ ! -d /sys/kernel/tracing/events/sched ] && mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null; then
		TRACEFS_MOUNTED=1
	fi
	# Room in each count map for every window (12 per run), beyond
	# bpftrace's default of 4096 keys.
	BPFTRACE_MAP_KEYS_MAX=$(( 24 * CN > 4096 ? 24 * CN : 4096 )) \
		"$BPFTRACE" -B line "$BT_SCRIPT" > "$out" 2>&1 &
	BT=$!
	for i in $(seq 600); do
		grep -q '^ready$' "$out" && break
		kill -0 "$BT" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -q '^ready$' "$out"; then
		kill "$BT" 2>/dev/null || true
		wait "$BT" 2>/dev/null || true
		BT=""
		msg=$(grep -v RLIMIT_MEMLOCK "$out" | tail -n 1) || true
		echo "counts: not printed: $BPFTRACE did not start${msg:+: $msg}"
		return
	fi
	mkfifo "$LP/tick"
	exec 9<> "$LP/tick"
	run_counted
	exec 9<&-
	kill -INT "$BT"
	wait "$BT" || true
	BT=""
	if rows=$(counts_rows "$out"); then
		printf '%-36s %12s %12s %12s %12s %12s %12s\n' "counts (mean of $CN), golxc/LXC" \
			"Go runtimes" "execs" "threads" "page faults" "switches" "preemptions"
	fi
	echo "$rows"
}
