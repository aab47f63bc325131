#!/usr/bin/env bats
# The seccomp program cache: a Docker-like default profile (about 300 allowed
# system calls, default ERRNO) compiled once, then loaded from the cache, and
# enforced the same way both times.

load helpers

# The profile, and a cache of this test's own.
use_docker_profile() {
	export BERTH_SECCOMP_CACHE="$BATS_TEST_TMPDIR/seccomp-cache"
	update_config --slurpfile p "$INTEGRATION_DIR/fixtures/docker-default-seccomp.json" '.linux.seccomp = $p[0]'
}

@test "a Docker-like profile is compiled once, then loaded from the cache" {
	use_docker_profile
	run_in_container sh -c 'grep Seccomp: /proc/self/status; unshare -n true; echo rc=$?'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Seccomp:"*"2"* ]]
	[[ "$output" == *"rc=1"* ]]
	[[ "$output" == *"Operation not permitted"* ]]
	local entries
	entries="$(find "$BERTH_SECCOMP_CACHE" -name '*.bpf')"
	[ "$(echo "$entries" | wc -l)" -eq 1 ]
	[ "$(stat -c %a "$BERTH_SECCOMP_CACHE")" = 700 ]
	local before
	before="$(stat -c %Y.%i "$entries")"

	# Same profile: the entry is read, not written again.
	CID="${CID}b"
	run_in_container sh -c 'grep Seccomp: /proc/self/status; unshare -n true; echo rc=$?'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
	[ "$(stat -c %Y.%i "$entries")" = "$before" ]

	# A changed profile is another entry.
	update_config '.linux.seccomp.defaultErrnoRet = 13'
	CID="${CID}c"
	run_in_container sh -c 'unshare -n true; echo rc=$?'
	[[ "$output" == *"Permission denied"* ]]
	[ "$(find "$BERTH_SECCOMP_CACHE" -name '*.bpf' | wc -l)" -eq 2 ]
}

@test "BERTH_SECCOMP_CACHE set and empty compiles without a cache" {
	use_docker_profile
	export BERTH_SECCOMP_CACHE=
	run_in_container sh -c 'unshare -n true; echo rc=$?'
	[ "$status" -eq 0 ]
	[[ "$output" == *"Operation not permitted"* ]]
}
