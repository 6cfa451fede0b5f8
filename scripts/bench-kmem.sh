#!/usr/bin/env bash
# bench-kmem.sh [N]: what an idle busybox container costs in memory, kernel
# side included, measured so that the machine's other work does not move
# it: bpftrace (bench-kmem.bt) follows the allocations of the runtime's
# tasks while N containers start and settle (5 s: golxc's monitors
# hibernate), caches are dropped, then prints KiB per container of what is
# still allocated, by kind: golxc (BENCH_GOLXC, default /usr/local/bin)
# and LXC 5.0.2 (/usr/bin) on twin configurations. make bench prints its
# totals as a row under bench.sh's MemFree row, which is the same quantity
# seen from outside and also moves with whatever else the machine does (one
# busy session measured -2826 to +6376 KiB per container); this one does
# not. Run it alone anyway: it drops caches.
set -euo pipefail
export PATH="/usr/local/bin:$PATH"
N=${1:-10}
G=${BENCH_GOLXC:-/usr/local/bin}
L=/usr/bin
BPFTRACE=${BENCH_BPFTRACE:-bpftrace}
BT="$(dirname "$0")/bench-kmem.bt"
LP=$(mktemp -d /var/tmp/golxc-kmem.XXXXXX)
cleanup() {
	for d in "$LP"/*/; do
		[ -d "$d" ] || continue
		n=$(basename "$d")
		$G/lxc-stop -P "$LP" -n "$n" -k >/dev/null 2>&1 || true
		$L/lxc-stop -P "$LP" -n "$n" -k >/dev/null 2>&1 || true
	done
	rm -rf "$LP" "/run/lxc/lock$LP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
echo "lxc.net.0.type = empty" > "$LP/net.conf"
$G/lxc-create -P "$LP" -n g -t busybox -f "$LP/net.conf" >/dev/null
for p in g l; do
	for i in $(seq "$N"); do
		mkdir -p "$LP/$p$i"
		sed "s#$LP/g/config#$LP/$p$i/config#g; s#^lxc.uts.name = .*#lxc.uts.name = $p$i#" "$LP/g/config" > "$LP/$p$i/config"
	done
done
# The traced command: start the containers, let them settle, drop caches.
cat > "$LP/run.sh" <<RUN
for i in \$(seq $N); do "\$1/lxc-start" -P "$LP" -n "\$2\$i" >/dev/null 2>&1 || echo "bench-kmem: \$2\$i did not start" >&2; done
sleep 5; sync; echo 3 > /proc/sys/vm/drop_caches; sleep 1
RUN
# table FILE: KiB per container by kind from bpftrace's maps (bpftrace
# prints a map of symbols without newlines: sed puts them back).
table() {
	sed 's/@\(site\|pcs\)\[/\n@\1[/g' "$1" | awk -v n="$N" '
	function kind(s) {
		if (s ~ /filemap|page_cache_ra|getblk|readahead|ext4_|buffer_head|xas_alloc|radix_tree/) return "page cache (files read or mapped)"
		if (s ~ /^pages/ && s ~ /do_anonymous|do_wp_page|do_fault|pte_alloc|pmd_alloc|pud_alloc|pgd_alloc|move_page_tables/) return "process pages (anon, COW, page tables)"
		if (s ~ /copy_process|dup_task|mm_alloc|vm_area|anon_vma|mas_|mt_dup|prepare_creds|alloc_pid|taskstats|dup_user_cpus|create_new_namespaces/) return "process structures (task, mm, vma)"
		if (s ~ /cgroup|kernfs|css|psi_|sched_group|mem_cgroup|memcg|cpuacct|blkcg|ioc_|cpuset|shrinker|dev_exception|percpu_ref/) return "cgroups (kernfs, css, percpu)"
		if (s ~ /net|sysctl|sk_prot|sock|ipv|inet|fib|xfrm|unix_|devinet|addrconf|bucket_table|neigh/) return "network namespace"
		if (s ~ /tty|pty/) return "ttys"
		if (s ~ /vfsmnt|alloc_super|inode|d_alloc|empty_file|mnt_ns|mountpoint|shmem|seq_|proc_|security_file|kernfs_fop|devpts/) return "mounts, inodes, dentries, files"
		return "other"
	}
	/^@(sz|site|pc|pcs|pg)\[/ { split($0, a, /[][]/); k = a[2]; v = $0; sub(/^[^:]*: /, "", v); m = substr(a[1], 2); val[m, k] = v; if (m == "sz" || m == "pc" || m == "pg") keys[m, k] = 1; next }
	/^@pgs\[/ { split($0, a, /[][]/); cur = a[2]; depth = 0; next }
	cur != "" && /^[ \t]+[a-z_]/ { f = $1; sub(/\+.*/, "", f); depth++; if (depth > 2 && depth < 7) stk[cur] = stk[cur] " " f; next }
	/^$/ { cur = "" }
	END {
		for (mk in keys) {
			split(mk, b, SUBSEP); m = b[1]; k = b[2]
			if (m == "sz") { s = "slab " val["site", k]; kib = val["sz", k] / 1024 }
			else if (m == "pc") { s = "percpu " val["pcs", k]; kib = val["pc", k] / 1024 }
			else { if (stk[k] ~ /allocate_slab|pcpu_/) continue; s = "pages" stk[k]; kib = val["pg", k] }
			t[kind(s)] += kib; tot += kib
		}
		for (c in t) printf "  %-40s %8.1f\n", c, t[c] / n
		printf "~ %-40s %8.1f\n", "total", tot / n
	}' | sort | sed 's/^~/ /'
}
for side in g l; do
	tools=$G; [ "$side" = l ] && tools=$L
	BPFTRACE_MAP_KEYS_MAX=${BPFTRACE_MAP_KEYS_MAX:-400000} "$BPFTRACE" -c "/bin/bash $LP/run.sh $tools $side" "$BT" > "$LP/$side.out" 2>"$LP/$side.err" ||
		{ echo "bench-kmem: bpftrace failed:"; cat "$LP/$side.err"; exit 1; }
	for i in $(seq "$N"); do "$tools/lxc-stop" -P "$LP" -n "$side$i" -k >/dev/null 2>&1 || true; done
	[ "$side" = g ] && echo "golxc ($G), KiB per idle container, $N containers:" || echo "LXC 5.0.2 ($L), KiB per idle container, $N containers:"
	table "$LP/$side.out"
done
