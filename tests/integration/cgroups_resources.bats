#!/usr/bin/env bats
# linux.resources on this host's cgroup v1 hierarchies (and, on a hybrid host,
# the cgroup2 one): every value read back inside the container and on the
# host, limits enforced, bad values refused without leaving a cgroup behind.

load helpers

# The first block device of the host, "major:minor".
first_block_device() { cat "$(ls -d /sys/block/*/dev | head -n 1)"; }

@test "resources: v1 files hold the configured values, inside the container and on the host" {
	local dev
	dev="$(first_block_device)"
	update_config --arg dev "$dev" '.linux.resources += {
		"memory": {"limit": 67108864, "reservation": 33554432, "swap": 67108864, "swappiness": 20},
		"cpu": {"shares": 512, "quota": 20000, "period": 100000, "burst": 1000, "cpus": "0", "mems": "0"},
		"pids": {"limit": 50},
		"blockIO": {"throttleReadBpsDevice": [{"major": ($dev | split(":")[0] | tonumber),
		                                       "minor": ($dev | split(":")[1] | tonumber), "rate": 1048576}]}
	}'
	local files=(memory/memory.limit_in_bytes memory/memory.soft_limit_in_bytes memory/memory.swappiness
		cpu/cpu.shares cpu/cpu.cfs_quota_us cpu/cpu.cfs_period_us cpu/cpu.cfs_burst_us
		cpuset/cpuset.cpus cpuset/cpuset.mems pids/pids.max blkio/blkio.throttle.read_bps_device)
	local want=(67108864 33554432 20 512 20000 100000 1000 0 0 50 "$dev 1048576")
	[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] && { files+=(memory/memory.memsw.limit_in_bytes); want+=(67108864); }
	set_args sh -c 'for f in "$@"; do cat "/sys/fs/cgroup/$f"; done; sleep 1000' sh "${files[@]}"
	create_container
	berth start "$CID"
	local i
	for ((i = 0; i < 50; i++)); do
		[ "$(wc -l <"$CTR_STDOUT")" -ge "${#files[@]}" ] && break
		sleep 0.1
	done
	mapfile -t got <"$CTR_STDOUT"
	for i in "${!files[@]}"; do
		[ "${got[$i]}" = "${want[$i]}" ] || fail "inside: ${files[$i]} is '${got[$i]}', want '${want[$i]}'"
		local host="/sys/fs/cgroup/${files[$i]%%/*}/$CID/${files[$i]#*/}"
		[ "$(cat "$host")" = "${want[$i]}" ] || fail "host: $host is '$(cat "$host")', want '${want[$i]}'"
	done
}

@test "resources: the device rules are the config's, then the defaults" {
	update_config '.linux.devices = [{"path": "/dev/loop-control", "type": "c", "major": 10, "minor": 237, "fileMode": 384}]
		| .linux.resources.devices = [{"allow": false, "access": "rwm"},
		                              {"allow": true, "type": "c", "major": 10, "minor": 237, "access": "r"}]'
	# Read is allowed (the open works, and loop-control itself refuses read);
	# write is not (the device cgroup refuses the open).
	run_in_container sh -c 'cat /dev/loop-control; echo x > /dev/loop-control; cat /sys/fs/cgroup/devices/devices.list'
	echo "$output"
	[[ "${lines[0]}" == *"Invalid argument"* ]]
	[[ "${lines[1]}" == *"Operation not permitted"* ]]
	grep -qx 'c 10:237 r' <<<"$output"
	grep -qx 'c 1:3 rwm' <<<"$output"
	! grep -q '^a ' <<<"$output" || false
}

@test "resources: pids.max stops a fork bomb" {
	update_config '.linux.resources.pids = {"limit": 10}'
	# The inner shell forks until the kernel refuses; the outer one then
	# reads pids.current with a builtin (a fork would be refused too).
	run_in_container sh -c 'sh -c "i=0; while [ \$i -lt 40 ]; do sleep 30 & i=\$((i+1)); done" 2>&1
		echo "bomb: $?"; read n </sys/fs/cgroup/pids/pids.current; echo "current: $n"'
	echo "$output"
	[[ "$output" == *"can't fork"* ]]
	grep -q '^bomb: [1-9]' <<<"$output"
	local n
	n="$(sed -n 's/^current: //p' <<<"$output")"
	[ "$n" -ge 2 ] && [ "$n" -le 10 ]
}

@test "resources: a process allocating past memory.limit is killed by the OOM killer" {
	update_config '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}'
	# tail keeps reading /dev/zero looking for a newline that never comes.
	run_in_container sh -c 'tail /dev/zero; echo "tail: $?"; grep oom_kill /sys/fs/cgroup/memory/memory.oom_control'
	echo "$output"
	[ "$status" -eq 0 ]
	grep -qx 'tail: 137' <<<"$output"
	grep -qE '^oom_kill [1-9]' <<<"$output"
}

@test "resources: hugepage limits and the unified map reach the cgroup2 hierarchy of a hybrid host" {
	[ -d /sys/fs/cgroup/unified ] || skip "not a hybrid host"
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers || skip "the cgroup2 hierarchy has no hugetlb controller"
	[ -d /sys/fs/cgroup/hugetlb ] && skip "hugetlb is a v1 hierarchy here"
	# berth enables hugetlb in the hierarchy's root for this; undo it afterwards.
	grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.subtree_control ||
		on_teardown sh -c 'echo -hugetlb >/sys/fs/cgroup/unified/cgroup.subtree_control'
	update_config '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]
		| .linux.resources.unified = {"cgroup.max.descendants": "7"}'
	run_in_container sh -c 'cat /sys/fs/cgroup/unified/hugetlb.2MB.max /sys/fs/cgroup/unified/cgroup.max.descendants'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 4194304 ]
	[ "${lines[1]}" = 7 ]
}

@test "resources: a cpuset outside the host's CPUs is refused, naming the field, and no cgroup is left" {
	update_config '.linux.resources.cpu = {"cpus": "0-4095"}'
	run_berth run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.cpu.cpus: write /sys/fs/cgroup/cpuset/$CID/cpuset.cpus: "* ]]
	[ -z "$(cgroups_named "$CID")" ]
	[ -z "$(berth list -q)" ]
}

@test "resources: an unknown file in the unified map is refused, naming the key" {
	update_config '.linux.resources.unified = {"nosuch.max": "1"}'
	run_berth run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *'linux.resources.unified["nosuch.max"]'* ]]
	[ -z "$(cgroups_named "$CID")" ]
}

@test "resources: a negative memory limit is refused, naming the field" {
	update_config '.linux.resources.memory = {"limit": -5}'
	run_berth run --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.resources.memory.limit"* ]]
	[ -z "$(cgroups_named "$CID")" ]
}
