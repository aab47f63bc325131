#!/usr/bin/env bats
# berth update: runc's flags and -r FILE|- change a running container's
# limits live; the container itself sees the new values.

load helpers

# A container that prints the given cgroup files (below /sys/fs/cgroup) every 0.1s.
start_watcher() {
	set_args sh -c 'while :; do for f in "$@"; do echo "$f=$(cat /sys/fs/cgroup/$f)"; done; sleep 0.1; done' sh "$@"
	update_config '.linux.resources += {"memory": {"limit": 67108864}, "pids": {"limit": 100}}'
	create_container
	berth start "$CID"
}

# Waits until the container last printed file=value.
wait_seen() {
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(grep "^$1=" "$CTR_STDOUT" | tail -n 1)" = "$1=$2" ] && return 0
		sleep 0.1
	done
	fail "inside: $1 is $(grep "^$1=" "$CTR_STDOUT" | tail -n 1), want $2"
}

@test "update: runc's flags change the limits, seen inside the container and on the host" {
	start_watcher memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes pids/pids.max cpu/cpu.shares \
		cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpuset/cpuset.cpus
	wait_seen memory/memory.limit_in_bytes 67108864
	run_berth update --memory 128m --memory-reservation 64m --pids-limit 42 --cpu-share 256 \
		--cpu-period 50000 --cpu-quota 25000 --cpuset-cpus 0 "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	wait_seen memory/memory.limit_in_bytes 134217728
	wait_seen memory/memory.soft_limit_in_bytes 67108864
	wait_seen pids/pids.max 42
	wait_seen cpu/cpu.shares 256
	wait_seen cpu/cpu.cfs_period_us 50000
	wait_seen cpu/cpu.cfs_quota_us 25000
	wait_seen cpuset/cpuset.cpus 0
	[ "$(cat "/sys/fs/cgroup/pids/$CID/pids.max")" = 42 ]
	[ "$(cat "/sys/fs/cgroup/memory/$CID/memory.limit_in_bytes")" = 134217728 ]

	# --kernel-memory is accepted, as runc does, but only warned about.
	run_berth update --kernel-memory 64m --pids-limit 43 "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"--kernel-memory is ignored"* ]]
	wait_seen pids/pids.max 43
}

@test "update: -r reads linux.resources JSON from a file or stdin, and flags override it" {
	start_watcher pids/pids.max memory/memory.limit_in_bytes
	echo '{"pids": {"limit": 33}, "memory": {"limit": 100663296}}' >"$BATS_TEST_TMPDIR/r.json"
	berth update -r "$BATS_TEST_TMPDIR/r.json" "$CID"
	wait_seen pids/pids.max 33
	wait_seen memory/memory.limit_in_bytes 100663296
	echo '{"pids": {"limit": 77}}' | berth update -r - --memory 83886080 "$CID"
	wait_seen pids/pids.max 77
	wait_seen memory/memory.limit_in_bytes 83886080
	# -1 is unlimited.
	berth update --pids-limit -1 "$CID"
	wait_seen pids/pids.max max
}

@test "update: bad values are refused, naming what is wrong, and nothing changes" {
	start_watcher pids/pids.max
	wait_seen pids/pids.max 100
	run_berth update --cpuset-cpus 0-4095 "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.cpu.cpus: write /sys/fs/cgroup/cpuset/$CID/cpuset.cpus"* ]]
	run_berth update --memory lots "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'--memory: invalid size "lots"'* ]]
	echo '{"memory": {"limit": -7}}' >"$BATS_TEST_TMPDIR/r.json"
	run_berth update -r "$BATS_TEST_TMPDIR/r.json" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.memory.limit"* ]]
	run_berth update --kernel-memory 1m "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"ignored"* ]]
	[ "$(cat "/sys/fs/cgroup/pids/$CID/pids.max")" = 100 ]
}

@test "update: a stopped container is refused" {
	set_args true
	create_container
	berth start "$CID"
	wait_for_status "$CID" stopped
	run_berth update --pids-limit 5 "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"stopped"* ]]
}
