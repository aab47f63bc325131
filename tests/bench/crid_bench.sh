#!/bin/bash
# Measures crid against containerd 1.6's CRI plugin, driven by the same client
# (tests/bench/cri_bench_driver.py, one gRPC channel per daemon, calls timed
# in-process), in alternation, and writes the results as a markdown table.
#
#   tests/bench/crid_bench.sh [--output FILE] [--runs N]
#
# FILE (default: docs/performance.md of this tree) gets the generated part
# between its "crid-bench:begin" and "crid-bench:end" markers; the rest of
# the file is kept.
#
# Daemons, each with a private root, state and socket under one temporary
# directory, all with the same CNI config list (a private bridge and
# host-local range), the same busybox image and the same pause binary:
#   crid         crid running containers with berth ($BERTH)
#   crid-runc    crid running containers with runc ($RUNC): separates the
#                daemon's share from the runtime's (BENCH_CRID_RUNC=0: skip)
#   containerd   Debian's containerd with its CRI plugin and its default
#                runtime, runc through containerd-shim-runc-v2; sandbox
#                image: crid-pause pushed as a one-layer image
#
# Environment:
#   BERTH                berth (default /usr/local/bin/berth); crid, cridctl
#                        beside it, crid-monitor, crid-pause and crid-pull in
#                        ../libexec/crid
#   RUNC, CONTAINERD     (default /usr/sbin/runc, containerd on PATH)
#   BENCH_RUNS           rounds of the pod/container lifecycle (default 5)
#   BENCH_PULL_RUNS      rounds of the image pull (default BENCH_RUNS)
#   BENCH_PODS           pods started at once (default 50)
#   BENCH_PARALLEL_RUNS  rounds of that step (default 1)
#   BENCH_KEEP           keep the work directory
# Needs root, containerd, runc, docker-registry, skopeo, umoci, jq,
# containernetworking-plugins and /usr/bin/python3 with python3-grpcio.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
output="$top/docs/performance.md"
runs="${BENCH_RUNS:-5}"
cmdline="${BENCH_CMDLINE:-$0 $*}"

while [ $# -gt 0 ]; do
	case "$1" in
	--output) output="$2"; shift 2 ;;
	--output=*) output="${1#--output=}"; shift ;;
	--runs) runs="$2"; shift 2 ;;
	--runs=*) runs="${1#--runs=}"; shift ;;
	-h|--help) sed -n '2,33p' "$0"; exit 0 ;;
	*) echo "$0: unknown argument $1" >&2; exit 2 ;;
	esac
done
case "$output" in /*) ;; *) output="$PWD/$output" ;; esac

BERTH="$(command -v "${BERTH:-/usr/local/bin/berth}")" || { echo "$0: berth not found" >&2; exit 1; }
bindir="$(dirname "$BERTH")"
CRID="${CRID:-$bindir/crid}"
CRIDCTL="${CRIDCTL:-$bindir/cridctl}"
libexec="$(cd "$bindir/.." && pwd)/libexec/crid"
seccomp_profile="$(cd "$bindir/.." && pwd)/share/crid/seccomp-default.json"
RUNC="$(command -v "${RUNC:-/usr/sbin/runc}")" || { echo "$0: runc not found" >&2; exit 1; }
CONTAINERD="$(command -v "${CONTAINERD:-containerd}")" || {
	echo "$0: containerd not found (Debian: apt-get install containerd)" >&2; exit 1; }
cni_bin=/usr/lib/cni
python=/usr/bin/python3

[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 1; }
for f in "$CRID" "$CRIDCTL" "$libexec/crid-monitor" "$libexec/crid-pause" "$libexec/crid-pull" \
	"$cni_bin/bridge" "$cni_bin/host-local" "$cni_bin/loopback"; do
	[ -x "$f" ] || { echo "$0: $f missing" >&2; exit 1; }
done
for tool in containerd-shim-runc-v2 docker-registry skopeo umoci jq curl; do
	command -v "$tool" >/dev/null || { echo "$0: $tool is needed" >&2; exit 1; }
done

daemons=(crid containerd)
[ "${BENCH_CRID_RUNC:-1}" = 0 ] || daemons=(crid crid-runc containerd)

work="$(mktemp -d /tmp/crid-bench.XXXXXX)"
tag="cb$$"
bridge="$tag"
cgroup_parent="/crid-bench-$$"
made_run_containerd=
[ -e /run/containerd ] || made_run_containerd=1
declare -A pid endpoint

# shellcheck source=../integration/registry.bash
. "$top/tests/integration/registry.bash"

# Pids of the processes whose command line holds all the given strings.
pids_matching() {
	local p cmd s ok
	for p in /proc/[0-9]*; do
		{ cmd="$(tr '\0' ' ' <"$p/cmdline")"; } 2>/dev/null || continue
		ok=1
		for s in "$@"; do [[ "$cmd" == *"$s"* ]] || { ok=; break; }; done
		[ -n "$ok" ] && echo "${p#/proc/}"
	done
	return 0
}

stop_pid() { # PID: TERM, then KILL after 10 s
	local i
	kill "$1" 2>/dev/null || return 0
	for i in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
	kill -KILL "$1" 2>/dev/null || true
}

cleanup() {
	local d p mp dir
	set +e
	for d in "${daemons[@]}"; do
		[ -n "${pid[$d]:-}" ] && kill -0 "${pid[$d]}" 2>/dev/null || continue
		for p in $("$CRIDCTL" -r "${endpoint[$d]}" -t 30 pods -q 2>/dev/null); do
			"$CRIDCTL" -r "${endpoint[$d]}" -t 60 stopp "$p" >/dev/null 2>&1
			"$CRIDCTL" -r "${endpoint[$d]}" -t 60 rmp -f "$p" >/dev/null 2>&1
		done
		stop_pid "${pid[$d]}"
		wait "${pid[$d]}" 2>/dev/null
	done
	# Whatever a failure left: shims and monitors of this run, then its mounts.
	for p in $(pids_matching containerd-shim-runc-v2 "$work/") $(pids_matching crid-monitor "$work/"); do
		kill -KILL "$p" 2>/dev/null
	done
	grep " $work/" /proc/self/mountinfo | awk '{ print $5 }' | sort -r |
		while read -r mp; do umount -l "$mp" 2>/dev/null; done
	ip link del "$bridge" 2>/dev/null
	for dir in /sys/fs/cgroup/*/"${cgroup_parent#/}"-*; do
		[ -d "$dir" ] && find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null
	done
	stop_registry
	if [ -n "$made_run_containerd" ] && [ -d /run/containerd ]; then
		find /run/containerd -depth -type d -empty -delete 2>/dev/null
	fi
	if [ -n "${BENCH_KEEP:-}" ]; then echo "work directory kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- images --------------------------------------------------------------------
echo "registry and images"
start_registry
push_busybox_image latest
image="$REGISTRY/busybox:latest"

# The pause image for containerd: crid-pause (static) as its only layer, so
# that both daemons' pods hold the same process. Made by hand: umoci 0.4.7
# wrote a truncated layer for it here (tar: Unexpected EOF), which crid refused.
mkdir -p "$work/pause-root"
cp "$libexec/crid-pause" "$work/pause-root/pause"
tar -C "$work/pause-root" --owner=0 --group=0 -czf "$work/pause.tar.gz" pause
push_pause_image() {
	local layer diff size config csize
	layer="$(registry_put_blob pause "$work/pause.tar.gz")"
	diff="sha256:$(gzip -dc <"$work/pause.tar.gz" | sha256sum | cut -d' ' -f1)"
	size="$(stat -c %s "$work/pause.tar.gz")"
	printf '{"architecture":"amd64","os":"linux","config":{"Entrypoint":["/pause"],"User":"65535:65535"},"rootfs":{"type":"layers","diff_ids":["%s"]}}' \
		"$diff" >"$work/pause-config.json"
	config="$(registry_put_blob pause "$work/pause-config.json")"
	csize="$(stat -c %s "$work/pause-config.json")"
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"%s","size":%s}]}' \
		"$config" "$csize" "$layer" "$size" >"$work/pause-manifest.json"
	curl -fsS -X PUT -H "Content-Type: application/vnd.oci.image.manifest.v1+json" \
		--data-binary "@$work/pause-manifest.json" "http://$REGISTRY/v2/pause/manifests/bench" >/dev/null
}
push_pause_image
pause_image="$REGISTRY/pause:bench"

# A multi-layer image to pull: 4 layers of 4 MiB of random data (incompressible)
# and 2 layers of 500 small files each (unpacking work), gzip-compressed.
layer_args=()
hex_args=()
for i in 1 2 3 4 5 6; do
	mkdir -p "$work/layer$i/data$i"
	if [ "$i" -le 4 ]; then
		head -c $((4 << 20)) /dev/urandom >"$work/layer$i/data$i/blob"
	else
		for k in $(seq 500); do echo "file $k of layer $i" >"$work/layer$i/data$i/f$k"; done
	fi
	tar -C "$work/layer$i" -czf "$work/layer$i.tar.gz" "data$i"
	layer_args+=("$work/layer$i.tar.gz")
	hex_args+=(--layer-hex "$(sha256sum <"$work/layer$i.tar.gz" | cut -d' ' -f1)")
done
push_layers_image "layered:bench" "${layer_args[@]}" >/dev/null
pull_image="$REGISTRY/layered:bench"
pull_size="$(du -cb "${layer_args[@]}" | tail -n1 | awk '{ printf "%.1f MiB", $1 / 1048576 }')"

# --- CNI: one private bridge for all daemons ---------------------------------------
mkdir -p "$work/net.d" "$work/ipam"
cat >"$work/net.d/10-bench.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "crid-bench-$$", "plugins": [
  {"type": "bridge", "bridge": "$bridge", "isGateway": true, "ipMasq": false,
   "ipam": {"type": "host-local", "dataDir": "$work/ipam",
            "ranges": [[{"subnet": "10.213.0.0/16"}]], "routes": [{"dst": "0.0.0.0/0"}]}}
]}
EOF

# --- daemons ---------------------------------------------------------------------
wait_ready() { # NAME
	local i
	for i in $(seq 150); do
		"$CRIDCTL" -r "${endpoint[$1]}" -t 1 version >/dev/null 2>&1 && return 0
		kill -0 "${pid[$1]}" 2>/dev/null || break
		sleep 0.1
	done
	echo "$1 did not come up; its log:" >&2
	tail -n 30 "$work/$1/log" >&2
	return 1
}

start_crid() { # NAME RUNTIME
	local d="$1" dir="$work/$1"
	mkdir -p "$dir"
	endpoint[$d]="unix://$dir/crid.sock"
	"$CRID" --root "$dir/root" --state "$dir/state" --listen "${endpoint[$d]}" \
		--runtime "$2" --monitor-path "$libexec/crid-monitor" --infra-binary "$libexec/crid-pause" \
		--pull-helper "$libexec/crid-pull" --seccomp-default-profile "$seccomp_profile" --insecure-registry "$REGISTRY" \
		--cgroup-parent "$cgroup_parent-$d" \
		--cni-config-dir "$work/net.d" --cni-plugin-dir "$cni_bin" >"$dir/log" 2>&1 &
	pid[$d]=$!
	wait_ready "$d"
}

start_containerd() {
	local dir="$work/containerd"
	mkdir -p "$dir"
	endpoint[containerd]="unix://$dir/containerd.sock"
	# restrict_oom_score_adj: this host has no CAP_SYS_RESOURCE, and the CRI
	# plugin would otherwise write the kubelet's -998 for the sandbox and fail.
	cat >"$dir/config.toml" <<-EOF
		version = 2
		root = "$dir/root"
		state = "$dir/state"
		[grpc]
		  address = "$dir/containerd.sock"
		[ttrpc]
		  address = "$dir/containerd.sock.ttrpc"
		[plugins."io.containerd.internal.v1.opt"]
		  path = "$dir/opt"
		[plugins."io.containerd.grpc.v1.cri"]
		  sandbox_image = "$pause_image"
		  restrict_oom_score_adj = true
		  [plugins."io.containerd.grpc.v1.cri".containerd]
		    snapshotter = "overlayfs"
		    default_runtime_name = "runc"
		    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		      runtime_type = "io.containerd.runc.v2"
		      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		        BinaryName = "$RUNC"
		        SystemdCgroup = false
		  [plugins."io.containerd.grpc.v1.cri".cni]
		    bin_dir = "$cni_bin"
		    conf_dir = "$work/net.d"
		  [plugins."io.containerd.grpc.v1.cri".registry.mirrors."$REGISTRY"]
		    endpoint = ["http://$REGISTRY"]
	EOF
	"$CONTAINERD" --config "$dir/config.toml" >"$dir/log" 2>&1 &
	pid[containerd]=$!
	wait_ready containerd
}

echo "starting ${daemons[*]}"
start_crid crid "$BERTH"
[ "${BENCH_CRID_RUNC:-1}" = 0 ] || start_crid crid-runc "$RUNC"
start_containerd

# --- measurements ------------------------------------------------------------------
started_at="$(date -u '+%Y-%m-%d %H:%M UTC')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
driver_args=()
for d in "${daemons[@]}"; do
	case "$d" in
	containerd) driver_args+=(--daemon "$d,${endpoint[$d]},${pid[$d]},$work/$d/root,containerd-shim-runc-v2,$work/$d/") ;;
	*) driver_args+=(--daemon "$d,${endpoint[$d]},${pid[$d]},$work/$d/root,crid-monitor,$work/$d/") ;;
	esac
done
BENCH_RUNS="$runs" BENCH_CGROUP_PARENT="$cgroup_parent" "$python" "$here/cri_bench_driver.py" \
	--work "$work" --image "$image" --pull-image "$pull_image" --prepull "$pause_image" \
	"${hex_args[@]}" "${driver_args[@]}" --out "$work/result.json"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report ----------------------------------------------------------------------
cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
mem_total="$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
r="$(jq -r '"BENCH_RUNS=\(.runs), BENCH_PULL_RUNS=\(.pull_runs), BENCH_PODS=\(.pods), BENCH_PARALLEL_RUNS=\(.parallel_runs)"' "$work/result.json")"
{
	echo "<!-- crid-bench:begin (generated by tests/bench/crid_bench.sh; edits inside are overwritten) -->"
	echo
	echo "Measured $started_at by \`$cmdline\` ($r)."
	echo
	echo "| machine | |"
	echo "|---|---|"
	echo "| CPU | $cpu_model, $(nproc) CPUs online |"
	echo "| memory | $mem_total |"
	echo "| kernel | $(uname -r) |"
	echo "| load average | $load_before before, $load_after after (the machine is shared) |"
	echo "| crid | $("$CRID" --version 2>&1 | head -n1) ($CRID), containers run by $("$BERTH" --version | head -n1) |"
	echo "| crid-runc | the same crid, containers run by $("$RUNC" --version | head -n1) |"
	echo "| containerd | $("$CONTAINERD" --version | head -n1), CRI plugin, io.containerd.runc.v2 shim, $("$RUNC" --version | head -n1) |"
	echo
	echo "Each daemon has a private root, state directory and socket under one temporary"
	echo "directory on $(df --output=fstype "$work" | tail -n1) and its own cgroup parent (cgroupfs, v1);"
	echo "all use the same CNI config list (bridge + host-local on a private bridge),"
	echo "the same busybox image from a local docker-registry, and the same pause"
	echo "process (crid-pause: crid runs it directly, containerd from a one-layer image"
	echo "holding it). Every call is made by the same client (tests/bench/cri_bench_driver.py,"
	echo "Python gRPC, one channel per daemon) and timed around the call in the client;"
	echo "rounds alternate between the daemons, rotating their order each round."
	echo "Containers run \`sleep 3600\`; pods and containers set no seccomp profile"
	echo "(unconfined in both). The pulled image has 6 gzip layers, $pull_size in all"
	echo "(4 of random data, 2 of 500 small files each); before each timed pull the"
	echo "image is removed and the bench waits until its layer blobs are gone."
	echo "RSS is VmRSS; PSS (smaps_rollup) shares each shared page among the processes"
	echo "mapping it, so sums over many helpers do not count shared libraries 50 times."
	echo "Helpers are the containerd-shim-runc-v2 processes (one per pod here: the shim"
	echo "of the sandbox serves its containers) and the crid-monitor processes (one per"
	echo "pod and one per container)."
	echo
	"$python" "$here/cri_bench_driver.py" --report "$work/result.json" containerd
	echo
	echo "<!-- crid-bench:end -->"
} >"$work/generated.md"

mkdir -p "$(dirname "$output")"
if [ -f "$output" ] && grep -q '<!-- crid-bench:begin' "$output" && grep -q '<!-- crid-bench:end' "$output"; then
	awk -v gen="$work/generated.md" '
		/<!-- crid-bench:begin/ { while ((getline l < gen) > 0) print l; skip = 1; next }
		/<!-- crid-bench:end/ { skip = 0; next }
		!skip' "$output" >"$output.new"
	mv "$output.new" "$output"
else
	{ [ -f "$output" ] || printf '# Performance\n'; echo; echo "## crid against containerd"; echo; cat "$work/generated.md"; } >>"$output"
fi
cat "$work/generated.md"
echo "written to $output"
