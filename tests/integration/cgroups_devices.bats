#!/usr/bin/env bats
# The device cgroup on this host's v1 devices hierarchy: set at create for
# every container, as runc does (deny all, linux.resources.devices in order,
# then runc's default allow list), whatever the config says; left alone by
# update. The v2 (eBPF) side runs in the qemu guest: cgroups_v2_vm.bats.

load helpers

# runc 1.1's default allow list, as the kernel lists it.
DEFAULT_LIST='b *:* m
c *:* m
c 1:3 rwm
c 1:5 rwm
c 1:7 rwm
c 1:8 rwm
c 1:9 rwm
c 5:0 rwm
c 5:2 rwm
c 10:200 rwm
c 136:* rwm'

# The first block device of the host, "major:minor".
first_block_device() { cat "$(ls -d /sys/block/*/dev | head -n 1)"; }

devices_list() { sort "/sys/fs/cgroup/devices/$CID/devices.list"; }

setup_file() {
	[ -f /sys/fs/cgroup/devices/devices.list ] || skip "no v1 devices hierarchy on this host"
}

@test "devices: a config without linux.resources gets exactly the default allow list" {
	update_config 'del(.linux.resources)'
	set_args sleep 100
	create_container
	diff <(devices_list) <(sort <<<"$DEFAULT_LIST")
}

@test "devices: the config's rules come first and the defaults after them" {
	update_config '.linux.resources.devices = [{"allow": false, "access": "rwm"},
		{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "r"}]'
	set_args sleep 100
	create_container
	diff <(devices_list) <(sort <<<"$DEFAULT_LIST"$'\nc 10:237 r')
}

@test "devices: a node of a device the list does not allow can be made but not opened; /dev/null works" {
	local dev
	dev="$(first_block_device)"
	update_config 'del(.linux.resources) | .process.capabilities.bounding += ["CAP_MKNOD"]
		| .process.capabilities.effective += ["CAP_MKNOD"] | .process.capabilities.permitted += ["CAP_MKNOD"]'
	run_in_container sh -c "mknod /dev/blk b ${dev%%:*} ${dev#*:} && echo made;
		head -c 1 /dev/blk >/dev/null; echo x >/dev/null && echo null-ok; head -c 4 /dev/zero | wc -c"
	echo "$output"
	[ "${lines[0]}" = made ]
	[[ "${lines[1]}" == *"/dev/blk"*"Operation not permitted"* ]]
	[ "${lines[2]}" = null-ok ]
	[ "${lines[3]}" -eq 4 ]
}

@test "devices: a linux.devices node of a default device works; another needs a rule, as with runc" {
	update_config '.linux.devices = [{"path": "/dev/myrandom", "type": "c", "major": 1, "minor": 9, "fileMode": 438},
		{"path": "/dev/loop-control", "type": "c", "major": 10, "minor": 237, "fileMode": 384}]'
	run_in_container sh -c 'head -c 4 /dev/myrandom | wc -c; cat /dev/loop-control'
	echo "$output"
	[ "${lines[0]}" -eq 4 ]
	[[ "${lines[1]}" == *"/dev/loop-control"*"Operation not permitted"* ]]

	# With a rule for it (what containerd and podman write for a device they add)
	# the open reaches the driver, which refuses a read itself.
	update_config '.linux.resources.devices += [{"allow": true, "type": "c", "major": 10, "minor": 237, "access": "rwm"}]'
	run_in_container sh -c 'cat /dev/loop-control'
	echo "$output"
	[[ "$output" == *"Invalid argument"* ]]
}

@test "devices: denying c 1:3 blocks /dev/null when the config lists /dev/null itself" {
	# Without its own /dev/null entry the default allow rule, appended after
	# the config's, wins again (runc does the same).
	update_config '.linux.resources.devices = [{"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]'
	run_in_container sh -c 'echo x >/dev/null && echo null-ok'
	[ "$status" -eq 0 ]
	[ "$output" = null-ok ]

	update_config '.linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]'
	set_args sleep 100
	create_container
	run devices_list
	! grep -q '^c 1:3 ' <<<"$output" || false
	run_berth exec "$CID" sh -c 'echo x >/dev/null'
	[ "$status" -ne 0 ]
	[[ "$output" == *"/dev/null"*"Operation not permitted"* ]]
}

@test "devices: update leaves the device cgroup as create set it" {
	set_args sleep 100
	create_container
	local before
	before="$(devices_list)"
	run_berth update -r - "$CID" <<<'{"pids": {"limit": 30},
		"devices": [{"allow": false, "type": "c", "major": 1, "minor": 5, "access": "rwm"}]}'
	[ "$status" -eq 0 ]
	[ "$(cat "/sys/fs/cgroup/pids/$CID/pids.max")" = 30 ]
	[ "$(devices_list)" = "$before" ]
}
