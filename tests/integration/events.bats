#!/usr/bin/env bats
# berth events (stats once, streaming, OOM notifications) and berth ps.

load helpers

@test "events --stats prints one stats object in runc's shape" {
	update_config '.linux.resources += {"memory": {"limit": 67108864}, "pids": {"limit": 64}}'
	set_args sleep 1000
	create_container
	berth start "$CID"
	run_berth events --stats "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .type <<<"$output")" = stats ]
	[ "$(jq -r .id <<<"$output")" = "$CID" ]
	[ "$(jq -r .data.memory.usage.limit <<<"$output")" = 67108864 ]
	[ "$(jq -r .data.memory.usage.usage <<<"$output")" -gt 0 ]
	[ "$(jq -r .data.pids.current <<<"$output")" -ge 1 ]
	[ "$(jq -r .data.pids.limit <<<"$output")" = 64 ]
	[ "$(jq -r '.data.cpu.usage.total' <<<"$output")" -gt 0 ]
	jq -e '.data.blkio | has("ioServiceBytesRecursive")' <<<"$output"
	jq -e '.data | has("hugetlb")' <<<"$output"
}

@test "events streams stats at --interval and reports an OOM kill, then ends with the container" {
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	set_args sh -c 'sleep 1; tail /dev/zero'
	create_container
	"$BERTH" --root "$ROOT" events --interval 200ms "$CID" >"$BATS_TEST_TMPDIR/events" 2>&1 &
	local events_pid=$!
	berth start "$CID"
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$events_pid" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$events_pid" 2>/dev/null || { kill "$events_pid"; fail "events did not end with the container"; }
	wait "$events_pid"
	cat "$BATS_TEST_TMPDIR/events"
	grep -q '"type":"oom"' "$BATS_TEST_TMPDIR/events"
	[ "$(grep -c '"type":"stats"' "$BATS_TEST_TMPDIR/events")" -ge 2 ]
}

@test "events on a stopped container is refused" {
	set_args true
	create_container
	berth start "$CID"
	wait_for_status "$CID" stopped
	run_berth events --stats "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"not running"* ]]
}

@test "ps lists the container's processes: json pids and ps(1) table" {
	set_args sh -c 'sleep 1001 & sleep 1002 & wait'
	create_container
	berth start "$CID"
	local pid i
	pid="$(container_pid "$CID")"
	for ((i = 0; i < 50; i++)); do
		[ "$(berth ps -f json "$CID" | jq length)" -eq 3 ] && break
		sleep 0.1
	done
	run_berth ps -f json "$CID"
	echo "$output"
	[ "$(jq length <<<"$output")" -eq 3 ]
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
	run_berth ps "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *PID* ]]
	[ "${#lines[@]}" -eq 4 ]
	grep -q 'sleep 1001' <<<"$output"
	grep -q 'sleep 1002' <<<"$output"
	! grep -q 'bats' <<<"$output" || false
	run_berth ps "$CID" -- -o pid,comm
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[[ "${lines[1]}" =~ ^\ *[0-9]+\ (sh|sleep)$ ]]
}
