# bench-download.sh, sourced by bench.sh: lxc-create -t download from a
# warm cache (issue 12), golxc's built-in template against LXC's shell
# script (wget, tar, xz), both served by golxc's image server on loopback
# (HTTPS, a throwaway CA) with the same signed busybox image. The caches
# are the run's own (LXC_CACHE_PATH). Uses bench.sh's G, L, LP, N, ms
# and median; download_stop is for its cleanup.

IMG="$LP/image"
IMG_SERVER=""   # the golxc image serve process
IMG_HTTPS=""    # its host:port

download_setup() {
	local i
	mkdir -p "$IMG"
	"$G/golxc" image build --release bench --build b1 --key "$IMG/key.asc" "$IMG/srv" >/dev/null
	"$G/golxc" image sign --key "$IMG/key.asc" --export-public "$IMG/pub.asc" "$IMG/srv" >/dev/null
	"$G/golxc" image serve --https 127.0.0.1:0 --self-signed-ca "$IMG/ca.pem" --key "$IMG/key.asc" "$IMG/srv" > "$IMG/serve.out" 2>/dev/null &
	IMG_SERVER=$!
	for i in $(seq 100); do
		IMG_HTTPS=$(sed -n 's#.* on https://##p' "$IMG/serve.out")
		[ -z "$IMG_HTTPS" ] || break
		sleep 0.1
	done
	echo "ca_certificate=$IMG/ca.pem" > "$IMG/wgetrc"
}

download_stop() {
	if [ -n "$IMG_SERVER" ]; then kill "$IMG_SERVER" 2>/dev/null || true; wait "$IMG_SERVER" 2>/dev/null || true; fi
	IMG_SERVER=""
}

# create_download TOOLS NAME: one create from the tool's own cache.
# The architecture is asked once: dpkg --print-architecture inside the
# timed command cost both tools ~80 ms and pulled the ratio towards 1.
ARCH=$(dpkg --print-architecture 2>/dev/null || echo amd64)

create_download() {
	local arch=$ARCH
	if [ "$1" = "$G" ]; then
		LXC_CACHE_PATH="$IMG/cache-golxc" SSL_CERT_FILE="$IMG/ca.pem" "$1/lxc-create" -q -P "$LP" -n "$2" -t download -- \
			-d busybox -r bench -a "$arch" --server "$IMG_HTTPS" --keyring "$IMG/pub.asc"
	else
		LXC_CACHE_PATH="$IMG/cache-lxc" WGETRC="$IMG/wgetrc" "$1/lxc-create" -q -P "$LP" -n "$2" -t download -- \
			-d busybox -r bench -a "$arch" --server "$IMG_HTTPS"
	fi
}

op_download() {
	ms create_download "$1" "$2-dl"
	"$1/lxc-destroy" -P "$LP" -n "$2-dl" >/dev/null 2>&1 || true
}

# download_pair: "golxc-median lxc-median" of N alternating warm creates.
download_pair() {
	local i gf lf
	# rowp runs this in a subshell: its own exit stops the server.
	trap download_stop EXIT
	download_setup
	# Fill both caches first: the timed runs are warm.
	op_download "$G" g >/dev/null
	op_download "$L" l >/dev/null
	gf=$(mktemp) lf=$(mktemp)
	for i in $(seq "$N"); do
		op_download "$G" g >> "$gf"
		op_download "$L" l >> "$lf"
	done
	echo "$(median < "$gf") $(median < "$lf")"
	rm -f "$gf" "$lf"
	download_stop
}
