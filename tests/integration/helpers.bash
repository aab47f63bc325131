# Shared setup for berth's Bats tests.
#
# Every test gets its own runtime state root ($ROOT), a fresh copy of a
# busybox bundle ($BUNDLE) and a container id unique to the run ($CID), so
# tests never see another runtime's state or another test's cgroups.
# teardown force-deletes whatever the test left and then fails the test if
# anything survived: a state dir, a mount under the bundle, a process of the
# container, a cgroup named for it.
#
# BERTH       runtime under test (default /usr/local/bin/berth; BERTH=runc
#             runs the suite against runc as the reference)
# BERTH_TEST_BUNDLE_CACHE  prepared bundle to copy (made once per run if unset)

BERTH="${BERTH:-/usr/local/bin/berth}"
INTEGRATION_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$INTEGRATION_DIR/../.." && pwd)"
MAKE_BUNDLE="$REPO_DIR/contrib/make-busybox-bundle.sh"

# True when the runtime under test is runc; used only in comments' sense:
# tests for berth-only behaviour still run, and are expected to fail on runc.
is_runc() { [[ "$(basename "$BERTH")" == runc* ]]; }

# The prepared bundle is built once per run; concurrent bats jobs wait on the lock.
prepare_bundle_cache() {
	local cache="${BERTH_TEST_BUNDLE_CACHE:-${BATS_RUN_TMPDIR}/bundle-cache}"
	(
		flock 9
		if [ ! -f "$cache/config.json" ]; then
			rm -rf "$cache"
			# The built-in default config, not `$BERTH spec`, so a runtime's
			# spec command cannot change what every other test starts from.
			BERTH=/nonexistent "$MAKE_BUNDLE" --args 'sh' "$cache" >&2
		fi
	) 9>"${cache}.lock"
	echo "$cache"
}

setup() {
	# A missing runtime is a failure, not a skip: a run where nothing was
	# tested must not look green.
	if ! [ -x "$BERTH" ] && ! command -v "$BERTH" >/dev/null; then
		echo "runtime $BERTH not found (make install, or set BERTH=path)" >&2
		return 1
	fi
	local cache
	cache="$(prepare_bundle_cache)"
	ROOT="$BATS_TEST_TMPDIR/root"
	BUNDLE="$BATS_TEST_TMPDIR/bundle"
	mkdir -p "$ROOT"
	cp -a "$cache" "$BUNDLE"
	# Unique across concurrent runs: the default cgroup path derives from it.
	CID="bt${BATS_ROOT_PID:-$$}-${BATS_SUITE_TEST_NUMBER:-0}-$RANDOM"
	CTR_STDOUT="$BATS_TEST_TMPDIR/ctr.out"
	CTR_STDERR="$BATS_TEST_TMPDIR/ctr.err"
	TRACKED_PIDNS=()
	TEARDOWN_CMDS=()
	cd "$BUNDLE"
}

# The runtime with this test's state root, output captured by bats' `run`.
run_berth() {
	run "$BERTH" --root "$ROOT" "$@"
}

# The runtime called directly (no `run`): for steps that must succeed.
berth() {
	"$BERTH" --root "$ROOT" "$@"
}

# For create and run --detach: the container inherits the runtime's stdio, so
# it goes to files (a pipe would keep `run` waiting for the container to
# exit). $output holds what the runtime wrote to stderr before it returned;
# the container's own output lands in $CTR_STDOUT / $CTR_STDERR.
__berth_detached() {
	local rc=0
	"$BERTH" --root "$ROOT" "$@" </dev/null >"$CTR_STDOUT" 2>"$CTR_STDERR" || rc=$?
	cat "$CTR_STDERR"
	return "$rc"
}
run_berth_detached() {
	: >"$CTR_STDOUT"
	: >"$CTR_STDERR"
	run __berth_detached "$@"
	if [ "$status" -eq 0 ]; then
		track_container "${@: -1}"
	fi
}

# Creates $1 (default $CID) from $BUNDLE and fails the test if that fails.
create_container() {
	local id="${1:-$CID}"
	run_berth_detached create --bundle "$BUNDLE" "$id"
	if [ "$status" -ne 0 ]; then
		echo "create $id failed: $output" >&2
		return 1
	fi
}

# Remembers the pid namespace of a container's init so teardown can check
# that no process of it survives `delete --force`.
track_container() {
	local pid
	pid="$(container_pid "$1" 2>/dev/null)" || return 0
	[ -n "$pid" ] && [ "$pid" != 0 ] || return 0
	local ns
	ns="$(readlink "/proc/$pid/ns/pid" 2>/dev/null)" || return 0
	# A container without a pid namespace of its own shares ours: every host
	# process is "in" it, so there is nothing to check (or kill) that way.
	[ "$ns" != "$(readlink /proc/self/ns/pid)" ] || return 0
	TRACKED_PIDNS+=("$ns")
}

container_status() { berth state "$1" | jq -r .status; }
container_pid() { berth state "$1" | jq -r .pid; }

# Waits up to $2 seconds (default 5) for container $1 to reach status $3.
wait_for_status() {
	local id="$1" want="$2" tries="${3:-50}" st i
	for ((i = 0; i < tries; i++)); do
		st="$(container_status "$id" 2>/dev/null)" || st=
		[ "$st" = "$want" ] && return 0
		sleep 0.1
	done
	echo "container $id status is '$st', wanted '$want'" >&2
	return 1
}

# Applies a jq filter (the last argument) to $BUNDLE/config.json in place;
# arguments before it go to jq:
#   update_config '.process.args = ["true"]'
#   update_config --arg p /x '.process.cwd = $p'
update_config() {
	jq "$@" <"$BUNDLE/config.json" >"$BUNDLE/config.json.new"
	mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
}

# Sets the container's command line: set_args sh -c 'echo hi'
set_args() {
	update_config --argjson argv "$(json_array "$@")" '.process.args = $argv'
}

# A JSON array of the arguments, each taken verbatim (jq 1.6 reads words like
# -c after --args as its own options, so every word goes through --arg).
json_array() {
	local a
	for a in "$@"; do jq -n --arg a "$a" '$a'; done | jq -s -c .
}

# Runs the bundle in the foreground with the given command line; $status is
# the container's exit status and $output what it printed.
run_in_container() {
	set_args "$@"
	run_berth run --bundle "$BUNDLE" "$CID"
}

# Queues a command for teardown, run after the containers are deleted and
# before the leftover checks: on_teardown ip netns delete "$name"
on_teardown() {
	TEARDOWN_CMDS+=("$(printf '%q ' "$@")")
}

# Fails the test with a message (usable in conditions).
fail() {
	echo "$*" >&2
	return 1
}

# From mountinfo text on stdin, "fstype options superoptions" of the last
# mount at $1 (the optional fields before " - " vary in number).
mount_line() {
	awk -v m="$1" '$5 == m { for (i = 7; $i != "-"; i++); print $(i + 1), $6, $(i + 3) }' | tail -n 1
}

# Every mount whose mount point lies under the bundle.
mounts_under() {
	awk -v p="$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo
}

# Cgroup directories named for container id $1 in any hierarchy.
cgroups_named() {
	find /sys/fs/cgroup -mindepth 1 -maxdepth 4 -type d -name "*$1*" 2>/dev/null
}

processes_in_pidns() {
	local ns="$1"
	[ "$ns" != "$(readlink /proc/self/ns/pid)" ] || return 0
	find /proc -mindepth 3 -maxdepth 3 -path '/proc/[0-9]*/ns/pid' -printf '%p %l\n' 2>/dev/null |
		grep -F " $ns" | cut -d/ -f3
	return 0
}

teardown() {
	[ -n "${ROOT:-}" ] || return 0
	cd /
	local id ids problems=()
	ids="$("$BERTH" --root "$ROOT" list -q 2>/dev/null)" || ids=
	for id in $ids; do
		track_container "$id"
		"$BERTH" --root "$ROOT" delete --force "$id" >/dev/null 2>&1 ||
			problems+=("delete --force $id failed")
	done

	local cmd
	for cmd in "${TEARDOWN_CMDS[@]}"; do
		eval "$cmd" >/dev/null 2>&1 || true
	done

	local left
	left="$(find "$ROOT" -mindepth 1 -maxdepth 1 2>/dev/null)"
	[ -z "$left" ] || problems+=("state left in $ROOT: $left")

	left="$(mounts_under "$BUNDLE")"
	if [ -n "$left" ]; then
		problems+=("mounts left under the bundle: $left")
		# Clean up anyway so bats can remove its temporary directory.
		local m
		for m in $(echo "$left" | sort -r); do umount -l "$m" 2>/dev/null; done
	fi

	local ns i
	for ns in "${TRACKED_PIDNS[@]}"; do
		for ((i = 0; i < 50; i++)); do
			left="$(processes_in_pidns "$ns")"
			[ -z "$left" ] && break
			sleep 0.1
		done
		if [ -n "$left" ]; then
			problems+=("processes left in $ns: $left")
			local p
			for p in $left; do kill -9 "$p" 2>/dev/null; done
		fi
	done

	for ((i = 0; i < 20; i++)); do
		left="$(cgroups_named "$CID")"
		[ -z "$left" ] && break
		sleep 0.1
	done
	[ -z "$left" ] || problems+=("cgroups left: $left")

	if [ ${#problems[@]} -gt 0 ]; then
		printf 'teardown: %s\n' "${problems[@]}" >&2
		return 1
	fi
}
