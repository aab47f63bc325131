#!/usr/bin/env bats
# /dev: the default devices, links, pts, and linux.devices entries.

load helpers

# "major:minor type" of a device node, in decimal.
node() {
	echo "$1" | {
		read -r maj min type
		echo "$((16#$maj)):$((16#$min)) $type"
	}
}

@test "the default devices exist with the right numbers" {
	run_in_container sh -c 'for d in null zero full random urandom tty; do stat -c "%t %T %F" /dev/$d; done'
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(node "${lines[0]}")" = "1:3 character special file" ]
	[ "$(node "${lines[1]}")" = "1:5 character special file" ]
	[ "$(node "${lines[2]}")" = "1:7 character special file" ]
	[ "$(node "${lines[3]}")" = "1:8 character special file" ]
	[ "$(node "${lines[4]}")" = "1:9 character special file" ]
	[ "$(node "${lines[5]}")" = "5:0 character special file" ]
}

@test "the default devices work" {
	run_in_container sh -c 'echo x > /dev/null && head -c 4 /dev/zero | wc -c && head -c 4 /dev/urandom | wc -c && ! echo x 2>/dev/null > /dev/full'
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "4 4" ]
}

@test "/dev/fd and the std links point into /proc/self/fd" {
	run_in_container sh -c 'for l in fd stdin stdout stderr; do readlink /dev/$l; done'
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "/proc/self/fd /proc/self/fd/0 /proc/self/fd/1 /proc/self/fd/2" ]
}

@test "/dev/pts is a devpts instance and /dev/ptmx reaches its ptmx" {
	run_in_container sh -c 'cat /proc/self/mountinfo; [ -c /dev/ptmx ] && echo ptmx; [ -c /dev/pts/ptmx ] && echo pts-ptmx'
	[ "$status" -eq 0 ]
	[ "$(mount_line /dev/pts <<<"$output" | cut -d' ' -f1)" = devpts ]
	[[ "$(mount_line /dev/pts <<<"$output")" == *newinstance* || "$(mount_line /dev/pts <<<"$output")" == *ptmxmode=666* ]]
	[ "${lines[-2]}" = ptmx ]
	[ "${lines[-1]}" = pts-ptmx ]
}

@test "/dev/shm and /dev/mqueue are mounted" {
	run_in_container cat /proc/self/mountinfo
	[ "$status" -eq 0 ]
	[ "$(mount_line /dev/shm <<<"$output" | cut -d' ' -f1)" = tmpfs ]
	[ "$(mount_line /dev/mqueue <<<"$output" | cut -d' ' -f1)" = mqueue ]
}

@test "a linux.devices entry is created with its type, numbers, mode and owner" {
	update_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229,
	                                  "fileMode": 432, "uid": 1000, "gid": 1000}]'
	run_in_container sh -c 'stat -c "%t %T %F" /dev/fuse; stat -c "%a %u %g" /dev/fuse'
	[ "$status" -eq 0 ]
	[ "$(node "${lines[0]}")" = "10:229 character special file" ]
	[ "${lines[1]}" = "660 1000 1000" ]
}

@test "a block device entry is created" {
	update_config '.linux.devices = [{"path": "/dev/loopx", "type": "b", "major": 7, "minor": 200, "fileMode": 384}]'
	run_in_container sh -c 'stat -c "%t %T %F" /dev/loopx'
	[ "$status" -eq 0 ]
	[ "$(node "$output")" = "7:200 block special file" ]
}

@test "only the allowed devices are usable under the default device cgroup rule" {
	update_config '.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229, "fileMode": 438}]'
	# Created, but not allowed by linux.resources.devices (deny all + defaults).
	run_in_container sh -c 'cat /dev/fuse'
	[ "$status" -ne 0 ]
	[[ "$output" == *"not permitted"* ]]
}
