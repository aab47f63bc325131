#!/bin/bash
# Measures berth against crun and runc on the same busybox bundle, in
# alternation, and writes the results as a markdown table.
#
#   tests/bench/run.sh [--output FILE] [--runs N]
#
# FILE (default: docs/performance.md of this tree) gets the generated part
# between its "bench:begin" and "bench:end" markers; text outside them is
# kept, so hand-written analysis survives a rerun.
#
# Environment:
#   BERTH                the berth binary (default /usr/local/bin/berth)
#   CRUN, RUNC           the reference runtimes (default crun, runc on PATH)
#   BENCH_RUNS           iterations of each timed step per runtime (default 15)
#   BENCH_PARALLEL_RUNS  iterations of the 100-container step (default 3)
#   BENCH_PARALLEL       containers started at once in that step (default 100)
#   BENCH_RSS_RUNS       iterations of the peak-RSS step (default 5)
#   BENCH_KEEP           keep the work directory (default: removed)
#
# Every runtime runs in the same private mount namespace whose
# /sys/fs/cgroup is a fresh tmpfs holding bind mounts of the host's cgroup v1
# hierarchies only: crun 1.8.1 refuses the hybrid layout of hosts like the one
# this was written on, and unmounting only the unified hierarchy would leave
# its empty directory for crun to write into. The v1 hierarchies are the
# host's, so limits are enforced as usual. Needs root, util-linux (unshare),
# strace, time (/usr/bin/time), busybox-static and jq.
set -euo pipefail
export LC_ALL=C

here="$(cd "$(dirname "$0")" && pwd)"
top="$(cd "$here/../.." && pwd)"
output="$top/docs/performance.md"
runs="${BENCH_RUNS:-15}"
cmdline="$0 $*"

while [ $# -gt 0 ]; do
	case "$1" in
	--output) output="$2"; shift 2 ;;
	--output=*) output="${1#--output=}"; shift ;;
	--runs) runs="$2"; shift 2 ;;
	--runs=*) runs="${1#--runs=}"; shift ;;
	-h|--help) sed -n '2,26p' "$0"; exit 0 ;;
	*) echo "$0: unknown argument $1" >&2; exit 2 ;;
	esac
done
case "$output" in /*) ;; *) output="$PWD/$output" ;; esac

if [ -z "${BENCH_IN_PRIVATE_NS:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "$0: must run as root" >&2; exit 1; }
	for tool in unshare strace jq /usr/bin/time; do
		command -v "$tool" >/dev/null ||
			{ echo "$0: $tool is needed (Debian: strace, time, jq, util-linux)" >&2; exit 1; }
	done
	BENCH_IN_PRIVATE_NS=1 BENCH_CMDLINE="${BENCH_CMDLINE:-$cmdline}" \
		exec unshare --mount --propagation private -- "$0" --output "$output" --runs "$runs"
fi
cmdline="${BENCH_CMDLINE:-$cmdline}"

parallel_runs="${BENCH_PARALLEL_RUNS:-3}"
parallel_n="${BENCH_PARALLEL:-100}"
rss_runs="${BENCH_RSS_RUNS:-5}"
declare -A bin=(
	[berth]="${BERTH:-/usr/local/bin/berth}"
	[crun]="${CRUN:-crun}"
	[runc]="${RUNC:-runc}"
)
runtimes=(berth crun runc)
for r in "${runtimes[@]}"; do
	command -v "${bin[$r]}" >/dev/null || { echo "$0: $r (${bin[$r]}) not found" >&2; exit 1; }
	bin[$r]="$(command -v "${bin[$r]}")"
done

work="$(mktemp -d /tmp/berth-bench.XXXXXX)"
cleanup() {
	local r id
	for r in "${runtimes[@]}"; do
		[ -d "$work/state/$r" ] || continue
		for id in $(ls "$work/state/$r" 2>/dev/null); do
			"${bin[$r]}" --root "$work/state/$r" delete --force "$id" >/dev/null 2>&1 || true
		done
	done
	# A runtime may leave an empty cgroup of a container it has deleted (runc
	# did, once, for its first run): these hierarchies are the host's.
	local d
	for d in /sys/fs/cgroup/*/bench-*-"$$"-*; do
		[ -d "$d" ] && rmdir "$d" 2>/dev/null || true
	done
	[ -n "${BENCH_KEEP:-}" ] && { echo "work directory kept: $work"; return; }
	umount "$work/state" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

# --- the private cgroupfs -------------------------------------------------
setup_v1_only_cgroupfs() {
	local stage="$work/cgroupfs" mp name
	mkdir -p "$stage"
	mount -t tmpfs -o mode=755,nosuid,nodev,noexec bench-cgroupfs "$stage"
	# Field 5 of mountinfo is the mount point; the type follows the " - ".
	while read -r mp; do
		name="${mp##*/}"
		mkdir "$stage/$name"
		mount --bind "$mp" "$stage/$name"
	done < <(awk '{ for (i = 7; $i != "-"; i++); if ($(i+1) == "cgroup") print $5 }' /proc/self/mountinfo |
		grep '^/sys/fs/cgroup/')
	# Keep the usual aliases (cpu,cpuacct and friends) where the host has them.
	for mp in /sys/fs/cgroup/*; do
		[ -L "$mp" ] && cp -P "$mp" "$stage/"
	done
	# Unmount the host's layout before moving the new one in: mounts merely
	# covered by it would still be listed in mountinfo, and a runtime that reads
	# the hierarchies from there (berth does) would look for them.
	umount --recursive /sys/fs/cgroup
	mount --move "$stage" /sys/fs/cgroup
}
setup_v1_only_cgroupfs
# State roots on a tmpfs, as /run is for each runtime's default root, so that
# a runtime that fsyncs its state file does not pay for the work directory's disk.
mkdir -p "$work/state"
mount -t tmpfs -o mode=700 bench-state "$work/state"
cgroupfs_desc="$(ls /sys/fs/cgroup | paste -sd" ")"
echo "All runtimes run in a private mount namespace whose /sys/fs/cgroup is a fresh"
echo "tmpfs holding bind mounts of the host's cgroup v1 hierarchies only: $cgroupfs_desc"

# --- bundles ----------------------------------------------------------------
"$top/contrib/make-busybox-bundle.sh" --runtime "${bin[runc]}" "$work/base" -- /bin/true >/dev/null
seccomp_profile="$top/tests/integration/fixtures/docker-default-seccomp.json"
# make_bundle NAME JQ-FILTER: a config.json of its own over the shared rootfs.
make_bundle() {
	mkdir -p "$work/$1"
	jq --arg root "$work/base/rootfs" ".root.path = \$root | $2" \
		"$work/base/config.json" > "$work/$1/config.json"
}
make_bundle true '.process.args = ["/bin/true"]'
make_bundle sleep '.process.args = ["/bin/sleep", "100000"]'
make_bundle true-seccomp \
	".process.args = [\"/bin/true\"] | .linux.seccomp = $(jq -c . "$seccomp_profile")"
make_bundle sleep-seccomp \
	".process.args = [\"/bin/sleep\", \"100000\"] | .linux.seccomp = $(jq -c . "$seccomp_profile")"

rt() { local r="$1"; shift; "${bin[$r]}" --root "$work/state/$r" "$@"; }
us_now() { local t="$EPOCHREALTIME"; echo "${t/./}"; }
mkdir -p "$work/data"
# record METRIC RUNTIME VALUE
record() { echo "$3" >> "$work/data/$1.$2"; }
failed() { echo "FAILED: $*" >&2; echo "$*" >> "$work/failures"; }
seq_id=0
# new_id RUNTIME: sets id to a container id not used before in this run.
new_id() { seq_id=$((seq_id + 1)); id="bench-$1-$$-$seq_id"; }

# Runs STEP RUNTIME for N rounds, each round visiting every runtime once in
# an order rotated per round, so slow drifts of a noisy machine hit all three.
alternate() {
	local n="$1" step="$2" i k r
	shift 2
	for ((i = 0; i < n; i++)); do
		for ((k = 0; k < ${#runtimes[@]}; k++)); do
			r="${runtimes[$(((i + k) % ${#runtimes[@]}))]}"
			"$step" "$r" "$@" || failed "$step $r $*"
		done
	done
}

# --- steps -------------------------------------------------------------------
step_run() { # RUNTIME METRIC BUNDLE
	local id t0 t1
	new_id "$1"
	t0="$(us_now)"
	rt "$1" run --bundle "$work/$3" "$id" </dev/null >/dev/null 2>&1 || return 1
	t1="$(us_now)"
	record "$2" "$1" $((t1 - t0))
}

step_create_start_delete() { # RUNTIME METRIC BUNDLE
	local id t0 t1
	new_id "$1"
	t0="$(us_now)"
	rt "$1" create --bundle "$work/$3" "$id" </dev/null >/dev/null 2>&1 &&
		rt "$1" start "$id" </dev/null >/dev/null 2>&1 &&
		rt "$1" delete --force "$id" </dev/null >/dev/null 2>&1 || {
		rt "$1" delete --force "$id" >/dev/null 2>&1; return 1; }
	t1="$(us_now)"
	record "$2" "$1" $((t1 - t0))
}

declare -A exec_target
step_exec() { # RUNTIME METRIC
	local t0 t1
	t0="$(us_now)"
	rt "$1" exec "${exec_target[$1]}" /bin/true </dev/null >/dev/null 2>&1 || return 1
	t1="$(us_now)"
	record "$2" "$1" $((t1 - t0))
}

step_parallel() { # RUNTIME METRIC BUNDLE
	local id t0 t1 k p bad=0 pids=() ids=()
	for ((k = 0; k < parallel_n; k++)); do new_id "$1"; ids+=("$id"); done
	t0="$(us_now)"
	for id in "${ids[@]}"; do
		rt "$1" run --detach --bundle "$work/$3" "$id" </dev/null >/dev/null 2>&1 &
		pids+=($!)
	done
	for p in "${pids[@]}"; do wait "$p" || bad=$((bad + 1)); done
	t1="$(us_now)"
	printf '%s\n' "${ids[@]}" |
		xargs -P 4 -I{} "${bin[$1]}" --root "$work/state/$1" delete --force {} >/dev/null 2>&1 || true
	[ "$bad" = 0 ] || { echo "$bad of $parallel_n containers failed to start" >&2; return 1; }
	record "$2" "$1" $((t1 - t0))
}

step_rss() { # RUNTIME METRIC BUNDLE
	local id
	new_id "$1"
	/usr/bin/time -f '%M' -o "$work/rss.out" "${bin[$1]}" --root "$work/state/$1" \
		run --bundle "$work/$3" "$id" </dev/null >/dev/null 2>&1 || return 1
	record "$2" "$1" "$(tail -n1 "$work/rss.out")"
}

# starts_under RUNTIME BUNDLE BYTES: true when /bin/true runs to exit 0
# under memory.limit BYTES.
starts_under() {
	local id dir="$work/mem-$1"
	new_id "$1"
	mkdir -p "$dir"
	jq --argjson l "$3" '.linux.resources.memory.limit = $l' \
		"$work/$2/config.json" > "$dir/config.json"
	if timeout 30 "${bin[$1]}" --root "$work/state/$1" run --bundle "$dir" "$id" \
		</dev/null >/dev/null 2>&1; then
		return 0
	fi
	"${bin[$1]}" --root "$work/state/$1" delete --force "$id" >/dev/null 2>&1 || true
	return 1
}

# Bisects to 16 KiB between a limit known to fail (0) and 256 MiB.
step_min_memory() { # RUNTIME METRIC BUNDLE
	local lo=0 hi=$((256 << 20)) mid
	starts_under "$1" "$3" "$hi" || { echo "$1 does not start under 256 MiB" >&2; return 1; }
	while ((hi - lo > 16384)); do
		mid=$(((lo + hi) / 2 / 4096 * 4096))
		if starts_under "$1" "$3" "$mid"; then hi=$mid; else lo=$mid; fi
	done
	record "$2" "$1" "$hi"
}

# --- measurements --------------------------------------------------------------
started_at="$(date -u '+%Y-%m-%d %H:%M UTC')"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
echo "BENCH_RUNS=$runs, BENCH_PARALLEL_RUNS=$parallel_runs, BENCH_PARALLEL=$parallel_n, BENCH_RSS_RUNS=$rss_runs"

echo "warming up (one run of each bundle per runtime, not recorded)"
for r in "${runtimes[@]}"; do
	for b in true true-seccomp; do
		new_id "$r"
		rt "$r" run --bundle "$work/$b" "$id" </dev/null >/dev/null 2>&1 ||
			failed "warm-up run of $b by $r"
	done
done

echo "run /bin/true"
alternate "$runs" step_run run_true true
alternate "$runs" step_run run_true_seccomp true-seccomp
echo "create + start + delete"
alternate "$runs" step_create_start_delete csd sleep
alternate "$runs" step_create_start_delete csd_seccomp sleep-seccomp
echo "exec /bin/true"
for r in "${runtimes[@]}"; do
	new_id "$r"
	exec_target[$r]="$id"
	rt "$r" run --detach --bundle "$work/sleep" "${exec_target[$r]}" </dev/null >/dev/null 2>&1 ||
		failed "start of the exec target for $r"
done
alternate "$runs" step_exec exec_true
for r in "${runtimes[@]}"; do rt "$r" delete --force "${exec_target[$r]}" >/dev/null 2>&1 || true; done
echo "$parallel_n containers in parallel"
alternate "$parallel_runs" step_parallel parallel sleep
echo "peak RSS"
alternate "$rss_runs" step_rss rss true
alternate "$rss_runs" step_rss rss_seccomp true-seccomp
echo "smallest memory limit"
alternate 1 step_min_memory minmem true
alternate 1 step_min_memory minmem_seccomp true-seccomp

echo "strace -c -f of run /bin/true"
for r in "${runtimes[@]}"; do
	new_id "$r"
	strace -f -c -o "$work/strace.$r" "${bin[$r]}" --root "$work/state/$r" \
		run --bundle "$work/true" "$id" </dev/null >/dev/null 2>&1 ||
		failed "strace run by $r"
done
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

# --- report ----------------------------------------------------------------------
# stats FILE: median min max (integers in, as read)
stats() {
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR], NR }'
}

# row LABEL METRIC DIVISOR UNIT DECIMALS
table_rows() {
	local label="$1" metric="$2" div="$3" unit="$4" dec="$5" r crun_median=
	if [ -s "$work/data/$metric.crun" ]; then
		crun_median="$(stats "$work/data/$metric.crun" | cut -d' ' -f1)"
	fi
	for r in "${runtimes[@]}"; do
		if [ ! -s "$work/data/$metric.$r" ]; then
			echo "| $label | $r | failed | | | | |"
			continue
		fi
		stats "$work/data/$metric.$r" | awk -v l="$label" -v r="$r" -v d="$div" -v u="$unit" \
			-v p="$dec" -v c="$crun_median" '{
			f = "%." p "f " u
			ratio = (c == "" || c == 0) ? "n/a" : sprintf("%.2f", $1 / c)
			printf "| %s | %s | " f " | " f " | " f " | %s | %d |\n", l, r,
				$1 / d, $2 / d, $3 / d, ratio, $4 }'
	done
}

version_of() { "$1" --version 2>/dev/null | head -n1; }
cpu_model="$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
mem_total="$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"

strace_table() {
	# strace -c lines: % time, seconds, usecs/call, calls, [errors], syscall;
	# the errors column is blank when there were none.
	awk '/^-/ || /^%/ || /total$/ { next }
		NF == 6 { print $6, $4 } NF == 5 { print $5, $4 }' "$work/strace.$1" | sort
}
for r in "${runtimes[@]}"; do strace_table "$r" > "$work/sc.$r"; done
sc_total() { awk '{ s += $2 } END { print s + 0 }' "$work/sc.$1"; }

{
	echo "<!-- bench:begin (generated by tests/bench/run.sh; edits inside are overwritten) -->"
	echo
	echo "Measured $started_at by \`$cmdline\` (BENCH_RUNS=$runs,"
	echo "BENCH_PARALLEL_RUNS=$parallel_runs, BENCH_PARALLEL=$parallel_n, BENCH_RSS_RUNS=$rss_runs)."
	echo
	echo "| machine | |"
	echo "|---|---|"
	echo "| CPU | $cpu_model, $(nproc) CPUs online |"
	echo "| memory | $mem_total |"
	echo "| kernel | $(uname -r) |"
	echo "| load average | $load_before before, $load_after after (the machine is shared) |"
	for r in "${runtimes[@]}"; do
		echo "| $r | $(version_of "${bin[$r]}") (${bin[$r]}) |"
	done
	echo
	echo "All three runtimes ran in the same private mount namespace (unshare -m) whose"
	echo "/sys/fs/cgroup was a fresh tmpfs holding bind mounts of the host's cgroup v1"
	echo "hierarchies only ($cgroupfs_desc): crun 1.8.1 refuses this host's hybrid layout."
	echo "Each runtime's --root is a directory on a tmpfs, like /run."
	echo "Rounds alternate between the runtimes, rotating their order each round. Times are"
	echo "wall-clock, taken in the driving shell (bash \$EPOCHREALTIME) around the runtime"
	echo "commands; \"seccomp\" rows use the Docker-like default profile of"
	echo "tests/integration/fixtures/docker-default-seccomp.json (301 allowed calls)."
	echo
	echo "| measurement | runtime | median | min | max | ratio to crun (median) | n |"
	echo "|---|---|---|---|---|---|---|"
	table_rows '`run` /bin/true' run_true 1000 ms 1
	table_rows '`run` /bin/true, seccomp' run_true_seccomp 1000 ms 1
	table_rows 'create + start + delete -f (sleep)' csd 1000 ms 1
	table_rows 'create + start + delete -f, seccomp' csd_seccomp 1000 ms 1
	table_rows '`exec` /bin/true into a running container' exec_true 1000 ms 1
	table_rows "$parallel_n \`run -d\` at once, wall time" parallel 1000 ms 0
	table_rows 'peak RSS of `run` /bin/true' rss 1024 MiB 1
	table_rows 'peak RSS of `run` /bin/true, seccomp' rss_seccomp 1024 MiB 1
	table_rows 'smallest memory.limit `run` /bin/true exits 0 under' minmem 1048576 MiB 2
	table_rows 'smallest memory.limit, seccomp' minmem_seccomp 1048576 MiB 2
	echo
	echo "Peak RSS is /usr/bin/time's \"Maximum resident set size\" of the \`run\` command:"
	echo "the largest single process among the runtime and the children it waited for"
	echo "(runc's re-executed \`runc init\` counts; so would the container's process)."
	echo "The memory limit is bisected to 16 KiB (v1 memory.limit_in_bytes); the container's"
	echo "init is charged to its cgroup from the moment it joins it."
	if [ -s "$work/failures" ]; then
		echo
		echo "Failed steps (left out of the table):"
		echo
		sort "$work/failures" | uniq -c | sed 's/^ */- /'
	fi
	echo
	echo "### Syscalls of \`run\` /bin/true (strace -c -f, no seccomp)"
	echo
	echo "Totals: berth $(sc_total berth), crun $(sc_total crun), runc $(sc_total runc)."
	echo "Calls berth makes more often than crun (all processes of the run, the container's"
	echo "/bin/true included):"
	echo
	echo "| syscall | berth | crun | runc | berth − crun |"
	echo "|---|---|---|---|---|"
	join -a1 -a2 -e 0 -o 0,1.2,2.2 "$work/sc.berth" "$work/sc.crun" |
		join -a1 -a2 -e 0 -o 0,1.2,1.3,2.2 - "$work/sc.runc" |
		awk '$2 > $3 { print $2 - $3, $1, $2, $3, $4 }' | sort -k1,1nr -k2,2 | head -n 25 |
		awk '{ printf "| %s | %d | %d | %d | +%d |\n", $2, $3, $4, $5, $1 }'
	echo
	echo "Calls crun makes more often than berth:"
	echo
	echo "| syscall | berth | crun | crun − berth |"
	echo "|---|---|---|---|"
	join -a1 -a2 -e 0 -o 0,1.2,2.2 "$work/sc.berth" "$work/sc.crun" |
		awk '$3 > $2 { print $3 - $2, $1, $2, $3 }' | sort -k1,1nr -k2,2 | head -n 15 |
		awk '{ printf "| %s | %d | %d | +%d |\n", $2, $3, $4, $1 }'
	echo
	echo "<!-- bench:end -->"
} > "$work/generated.md"

mkdir -p "$(dirname "$output")"
if [ -f "$output" ] && grep -q '<!-- bench:begin' "$output" && grep -q '<!-- bench:end' "$output"; then
	awk -v gen="$work/generated.md" '
		/<!-- bench:begin/ { while ((getline l < gen) > 0) print l; skip = 1; next }
		/<!-- bench:end/ { skip = 0; next }
		!skip' "$output" > "$output.new"
	mv "$output.new" "$output"
else
	{ echo "# Performance"; echo; cat "$work/generated.md"; } > "$output"
fi
cat "$work/generated.md"
echo "written to $output"
