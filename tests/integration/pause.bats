#!/usr/bin/env bats
# pause / resume: the freezer stops every process of the container (a loop
# stops counting), state and list say "paused", resume lets it go on.

load helpers

# A container whose process appends a growing number to its stdout file.
start_counter() {
	set_args sh -c 'i=0; while :; do i=$((i+1)); echo $i; sleep 0.05; done'
	create_container
	berth start "$CID"
	local i
	for ((i = 0; i < 50; i++)); do
		[ -s "$CTR_STDOUT" ] && return 0
		sleep 0.1
	done
	fail "the counter never started"
}

last_count() { tail -n 1 "$CTR_STDOUT"; }

@test "pause freezes the container's processes and resume thaws them" {
	start_counter
	run_berth pause "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = paused ]
	berth list | grep -E "^$CID +[0-9]+ +paused "
	[ "$(berth list -f json | jq -r --arg id "$CID" '.[] | select(.id == $id) | .status')" = paused ]
	# Frozen tasks show as D (or T) in /proc/<pid>/stat.
	local pid st
	for pid in $(cat "/sys/fs/cgroup/freezer/$CID/cgroup.procs"); do
		st="$(awk '{print $3}' "/proc/$pid/stat")"
		[[ "$st" == [DT] ]] || fail "process $pid is in state $st"
	done
	local before
	before="$(last_count)"
	sleep 0.5
	[ "$(last_count)" = "$before" ] || fail "still counting while paused"

	run_berth resume "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]
	sleep 0.5
	[ "$(last_count)" -gt "$before" ] || fail "not counting after resume"
}

@test "resume of a running container and pause of a stopped one are refused" {
	start_counter
	run_berth resume "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not paused"* ]]
	berth kill "$CID" KILL
	wait_for_status "$CID" stopped
	run_berth pause "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"container not running"* ]]
}

@test "a paused container can be deleted with --force" {
	start_counter
	berth pause "$CID"
	run_berth delete --force "$CID"
	[ "$status" -eq 0 ]
	[ -z "$(cgroups_named "$CID")" ]
}
