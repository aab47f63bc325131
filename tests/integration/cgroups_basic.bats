#!/usr/bin/env bats
# linux.cgroupsPath: where the container's processes are placed, and that the
# cgroups go away with the container. (Limits are tested elsewhere.)

load helpers

# Every mounted hierarchy: "v1:<dir>" per cgroup v1 mount, "v2:<dir>" for cgroup2.
hierarchies() {
	awk '$9 == "cgroup" { print "v1:" $5 } $9 == "cgroup2" { print "v2:" $5 }' /proc/self/mountinfo
}

setup_cgroups_path() {
	CG_PARENT="/${CID}-parent"
	CG_PATH="$CG_PARENT/$CID"
	update_config --arg p "$CG_PATH" '.linux.cgroupsPath = $p'
	# Runtimes leave parents they made; remove ours after the container.
	local h
	for h in $(hierarchies); do
		on_teardown rmdir "${h#*:}$CG_PARENT"
	done
}

@test "cgroupsPath: /proc/self/cgroup shows it in every hierarchy" {
	setup_cgroups_path
	run_in_container cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	echo "$output"
	local line
	for line in "${lines[@]}"; do
		[ "${line#*:*:}" = "$CG_PATH" ] || fail "not in $CG_PATH: $line"
	done
	# One line per v1 hierarchy and one for the unified (0::) hierarchy.
	[ "${#lines[@]}" -eq "$(hierarchies | wc -l)" ]
	printf '%s\n' "${lines[@]}" | grep -q '^0::'
}

@test "cgroupsPath: the directories exist while running and go away on delete" {
	setup_cgroups_path
	set_args sleep 1000
	create_container
	berth start "$CID"
	local pid h dir
	pid="$(container_pid "$CID")"
	for h in $(hierarchies); do
		dir="${h#*:}$CG_PATH"
		[ -d "$dir" ] || fail "missing $dir"
		grep -qx "$pid" "$dir/cgroup.procs" || fail "$pid not in $dir/cgroup.procs"
	done
	berth kill "$CID" KILL
	wait_for_status "$CID" stopped
	berth delete "$CID"
	for h in $(hierarchies); do
		dir="${h#*:}$CG_PATH"
		[ ! -d "$dir" ] || fail "left behind: $dir"
	done
}

@test "without cgroupsPath the container still gets a cgroup of its own, removed on delete" {
	set_args sleep 1000
	create_container
	berth start "$CID"
	local pid mine
	pid="$(container_pid "$CID")"
	mine="$(grep -E '^[0-9]+:memory:' "/proc/$pid/cgroup" | cut -d: -f3)"
	[ -n "$mine" ]
	[ "$mine" != "$(grep -E '^[0-9]+:memory:' /proc/self/cgroup | cut -d: -f3)" ]
	berth delete --force "$CID"
	[ ! -d "/sys/fs/cgroup/memory$mine" ]
}

@test "the init is in its cgroup before it runs the process" {
	setup_cgroups_path
	set_args cat /proc/self/cgroup
	create_container
	# Still waiting for start: already placed.
	local pid
	pid="$(container_pid "$CID")"
	grep -q ":$CG_PATH\$" "/proc/$pid/cgroup"
	berth start "$CID"
	wait_for_status "$CID" stopped
	grep -q ":$CG_PATH\$" "$CTR_STDOUT"
}
