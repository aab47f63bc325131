#!/usr/bin/env bats
# Load through the CRI (tests/load/cri_load.py): CRID_LOAD_PODS pods (default
# 100) x 2 busybox containers created, started, exec'd into, stopped and
# removed all at once, for CRID_LOAD_ROUNDS rounds (default 1) after a warm-up
# round of the same size. No call may fail, and nothing may be left: crid's fds
# and threads as after the warm-up, no zombie, pod, container, mount, cgroup,
# monitor or state directory. The latency table goes to the test output.
#
# `make load` runs this file with CRID_LOAD_ROUNDS=3 (tests/README, "Load").
# CRID_LOAD_JSON=FILE keeps the driver's JSON report; CRID_LOAD_FLAGS adds crid
# flags (`--sync-writes normal`, say, to see what the fsyncs cost).
# run-all: again with runc

load crid_helpers

setup_file() { crid_setup_file; }
teardown_file() { crid_teardown_file; }

setup() {
	crid_setup
	# shellcheck disable=SC2086 # flags, split on purpose
	start_crid ${CRID_LOAD_FLAGS:-}
	pull_busybox
}

teardown() { crid_teardown; }

load_driver() {
	/usr/bin/python3 "$BATS_TEST_DIRNAME/../load/cri_load.py" --endpoint "$ENDPOINT" --pid "$CRID_PID" \
		--root "$T/root" --state "$T/state" --cgroup-parent "$CRID_CGROUP_PARENT" \
		--image "$BUSYBOX" --work "$T/load" "$@"
}

@test "crid load: ${CRID_LOAD_PODS:-100} pods x 2 containers, ${CRID_LOAD_ROUNDS:-1} round(s): no failure, no leak" {
	local json="${CRID_LOAD_JSON:-$T/load.json}"
	run load_driver --pods "${CRID_LOAD_PODS:-100}" --rounds "${CRID_LOAD_ROUNDS:-1}" --json "$json"
	local line
	for line in "${lines[@]}"; do echo "# $line" >&3; done
	if [ "$status" -ne 0 ]; then
		echo "cri_load.py exited $status; crid's log ends:" >&2
		tail -20 "$T/crid.log" >&2
	fi
	[ "$status" -eq 0 ]
	grep -qx "0 failures, 0 leaks" <<<"$output"
	# The report counts every pod of every measured round.
	[ "$(jq -r '.latencies[] | select(.op == "pod total") | .count' "$json")" \
		= $((${CRID_LOAD_PODS:-100} * ${CRID_LOAD_ROUNDS:-1})) ]
	[ "$(jq -r '.latencies[] | select(.op == "ExecSync") | .count' "$json")" \
		= $((${CRID_LOAD_PODS:-100} * ${CRID_LOAD_ROUNDS:-1} * 2)) ]
}

@test "crid load: the driver reports what is left behind and fails" {
	# A pod the driver did not make, and a mount under crid's state dir,
	# stand in for leaks: both must be named and fail the run.
	run_pod stray
	mkdir -p "$T/state/stray-mount"
	mount -t tmpfs stray "$T/state/stray-mount"
	run load_driver --pods 2 --rounds 1 --warmup-pods 0 --settle 1
	umount "$T/state/stray-mount"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ "$output" == *"LEAK: pods listed: ${POD:0:12}"* ]]
	[[ "$output" == *"LEAK: mounts: "*" $T/state/stray-mount"* ]]
	# The stray pod's own mounts, cgroups, monitor and state are named too.
	[[ "$output" == *"LEAK: processes naming crid's root or state: "*"(crid-monitor)"* ]]
	[[ "$output" == *"LEAK: cgroups: "*"$CRID_CGROUP_PARENT/crid-$POD"* ]]
	grep -Eqx "0 failures, [0-9]+ leaks" <<<"$output"
	# Its own pods it removed; the stray one is still there for teardown.
	[ "$(cri ListPodSandbox | jq '.items | length')" = 1 ]
}
