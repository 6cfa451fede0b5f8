#!/usr/bin/env bash
# lxc-sandbox -- /bin/true side by side with what users pick for the job
# (issue 14): bubblewrap over the host's / and systemd-nspawn's volatile
# mode on the same tree, each run alternating with the others so drift in
# the machine's load hits all alike; medians of the runs and ratios. Called
# by make bench (scripts/bench.sh); runs alone too: BENCH_SANDBOX_N=5
# scripts/bench-sandbox.sh. Target: faster than systemd-nspawn, within 2x
# of bubblewrap.
set -euo pipefail
N=${BENCH_SANDBOX_N:-${BENCH_N:-20}}
G=${BENCH_GOLXC:-/usr/local/bin}

# us CMD...: CMD's wall time in microseconds (EPOCHREALTIME: no clock
# process forked around it); a failing CMD prints "fail".
us() {
	local t0 t1
	t0=${EPOCHREALTIME/./}
	if ! "$@" >/dev/null 2>&1; then echo fail; return; fi
	t1=${EPOCHREALTIME/./}
	echo $(( t1 - t0 ))
}
median() { sort -n | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.2f\n", m/1000}'; }

# $G/lxc-sandbox (installed links), or a build tree's bin/ with golxc
# only (BENCH_GOLXC=bin after make build): golxc lxc-sandbox.
SANDBOX=("$G/lxc-sandbox")
[ -x "$G/lxc-sandbox" ] || SANDBOX=("$G/golxc" lxc-sandbox)
sandbox() { "${SANDBOX[@]}" -- /bin/true; }
bubblewrap() { bwrap --ro-bind / / --dev /dev --proc /proc --unshare-all -- /bin/true; }
# --volatile=yes: a tmpfs root with the tree's /usr read-only (nspawn
# refuses --volatile=overlay on the host's /); own network namespace as
# the others have; no machined registration (no systemd as PID 1 needed).
nspawn() { systemd-nspawn -q --register=no --keep-unit --volatile=yes --private-network -D / /bin/true; }

tools=(sandbox)
declare -A skip=()
if command -v bwrap >/dev/null; then tools+=(bubblewrap); else skip[bubblewrap]="bwrap missing (apt-get install bubblewrap)"; fi
if ! command -v systemd-nspawn >/dev/null; then
	skip[nspawn]="systemd-nspawn missing (apt-get install systemd-container; Debian pulls a systemd upgrade with it)"
elif ! nspawn >/dev/null 2>&1; then
	skip[nspawn]="systemd-nspawn --volatile=yes -D / fails here: $(nspawn 2>&1 | head -n1)"
else
	tools+=(nspawn)
fi
[ -x "${SANDBOX[0]}" ] || { echo "bench-sandbox: neither $G/lxc-sandbox nor $G/golxc (set BENCH_GOLXC to golxc's links or a build's bin/)"; exit 1; }

declare -A file=()
for t in "${tools[@]}"; do file[$t]=$(mktemp); done
trap 'rm -f "${file[@]}"' EXIT
for t in "${tools[@]}"; do $t >/dev/null 2>&1 || true; done # warm the page cache
for i in $(seq "$N"); do
	for t in "${tools[@]}"; do us $t >> "${file[$t]}"; done
done
declare -A med=()
for t in "${tools[@]}"; do
	if grep -q fail "${file[$t]}"; then
		skip[$t]="$t failed: $($t 2>&1 | head -n1)"
		continue
	fi
	med[$t]=$(median < "${file[$t]}")
done

printf '%-52s %10s %9s\n' "sandbox -- /bin/true (median of $N, alternating)" "ms" "ratio"
label() {
	case $1 in
	sandbox) echo "lxc-sandbox -- /bin/true" ;;
	bubblewrap) echo "bwrap --ro-bind / / --dev --proc --unshare-all" ;;
	nspawn) echo "systemd-nspawn --volatile=yes -D /" ;;
	esac
}
for t in sandbox bubblewrap nspawn; do
	if [ -n "${med[$t]:-}" ]; then
		ratio="1.00"
		[ "$t" = sandbox ] || ratio=$(awk -v a="${med[sandbox]:-0}" -v b="${med[$t]}" 'BEGIN {printf "%.2f", a / b}')
		printf '%-52s %10s %9s\n' "$(label $t)" "${med[$t]}" "$ratio"
	else
		printf '%-52s %10s %9s  %s\n' "$(label $t)" "-" "-" "skipped: ${skip[$t]}"
	fi
done
echo "ratio: lxc-sandbox's time over the row's (target: < 1 for nspawn, <= 2 for bwrap)"
