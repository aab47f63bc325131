#!/usr/bin/env bats
# Namespaces: each one the config asks for, checked from inside.

load helpers

# The inode link of one of our own namespaces, e.g. host_ns net -> net:[4026531840]
host_ns() { readlink "/proc/self/ns/$1"; }

# An id-mapped container's init runs as an unmapped host uid: it needs
# search permission on every directory down to the rootfs.
open_bundle_path() {
	local d="$BUNDLE"
	while [ "$d" != / ]; do
		chmod o+x "$d"
		d="$(dirname "$d")"
	done
}

@test "pid: the process is pid 1 in a new pid namespace" {
	run_in_container sh -c 'echo $$; readlink /proc/self/ns/pid; ls -d /proc/[0-9]* | wc -l'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1 ]
	[ "${lines[1]}" != "$(host_ns pid)" ]
	# sh, readlink/ls and nothing else of the host.
	[ "${lines[2]}" -le 3 ]
}

@test "uts: the hostname is the config's" {
	update_config '.hostname = "berth-host"'
	run_in_container sh -c 'hostname; readlink /proc/self/ns/uts'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = berth-host ]
	[ "${lines[1]}" != "$(host_ns uts)" ]
	[ "$(hostname)" != berth-host ]
}

# runc 1.1 ignores domainname (runc fails this).
@test "uts: the domainname is the config's" {
	update_config '.hostname = "berth-host" | .domainname = "example.org"'
	run_in_container cat /proc/sys/kernel/domainname
	[ "$status" -eq 0 ]
	[ "$output" = example.org ]
}

@test "ipc: a new ipc namespace" {
	run_in_container readlink /proc/self/ns/ipc
	[ "$status" -eq 0 ]
	[[ "$output" == ipc:* ]]
	[ "$output" != "$(host_ns ipc)" ]
}

@test "ipc: without the namespace the host's is shared" {
	update_config '.linux.namespaces |= map(select(.type != "ipc"))'
	run_in_container readlink /proc/self/ns/ipc
	[ "$status" -eq 0 ]
	[ "$output" = "$(host_ns ipc)" ]
}

@test "network: a new network namespace has only lo" {
	run_in_container sh -c 'readlink /proc/self/ns/net; tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != "$(host_ns net)" ]
	[ "${lines[1]}" = lo ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "mount: a new mount namespace; the host sees none of its mounts" {
	run_in_container sh -c 'readlink /proc/self/ns/mnt; grep -c . /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != "$(host_ns mnt)" ]
	[ "${lines[1]}" -gt 3 ]
	[ -z "$(mounts_under "$BUNDLE")" ]
}

@test "user: uid and gid mappings are in effect" {
	open_bundle_path
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 300000, "size": 65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	run_in_container sh -c 'cat /proc/self/uid_map /proc/self/gid_map; id -u; readlink /proc/self/ns/user'
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 200000 65536" ]
	[ "$(echo ${lines[1]})" = "0 300000 65536" ]
	[ "${lines[2]}" = 0 ]
	[ "${lines[3]}" != "$(host_ns user)" ]
}

@test "user: the container's root is an unprivileged host uid" {
	open_bundle_path
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	set_args sleep 1000
	create_container
	berth start "$CID"
	local pid
	pid="$(container_pid "$CID")"
	[ "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" = 200000 ]
	[ "$(awk '/^Gid:/ { print $2 }' "/proc/$pid/status")" = 200000 ]
}

@test "cgroup: in a cgroup namespace every cgroup path is /" {
	update_config '.linux.namespaces += [{"type": "cgroup"}]'
	run_in_container sh -c 'readlink /proc/self/ns/cgroup; cat /proc/self/cgroup'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" != "$(host_ns cgroup)" ]
	local line
	for line in "${lines[@]:1}"; do
		[[ "$line" == *:/ ]] || fail "not at its namespace root: $line"
	done
}

# runc 1.1 has no time namespace support (runc fails this).
@test "time: a time namespace with the configured offsets" {
	[ -e /proc/self/ns/time ] || skip "kernel without time namespaces"
	update_config '.linux.namespaces += [{"type": "time"}]
		| .linux.timeOffsets = {"monotonic": {"secs": 86400, "nanosecs": 0},
		                        "boottime": {"secs": 172800, "nanosecs": 0}}'
	run_in_container sh -c 'cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime; readlink /proc/self/ns/time'
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(echo ${lines[0]})" = "monotonic 86400 0" ]
	[ "$(echo ${lines[1]})" = "boottime 172800 0" ]
	# /proc/uptime counts boot time, offset included.
	local host_up
	host_up="$(cut -d. -f1 /proc/uptime)"
	[ "${lines[2]}" -ge $((host_up + 172800 - 5)) ]
	[ "${lines[3]}" != "$(host_ns time)" ]
}

@test "network: joining an existing namespace by path" {
	command -v ip >/dev/null || skip "iproute2 (ip) not installed"
	local name="$CID"
	ip netns add "$name"
	on_teardown ip netns delete "$name"
	ip netns exec "$name" ip link set lo up
	local want
	want="net:[$(stat -L -c %i "/run/netns/$name")]"
	update_config --arg path "/run/netns/$name" \
		'.linux.namespaces |= map(if .type == "network" then .path = $path else . end)'
	run_in_container sh -c 'readlink /proc/self/ns/net; cat /sys/class/net/lo/operstate'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$want" ]
	# The namespace outlives the container.
	[ -e "/run/netns/$name" ]
	ip netns exec "$name" true
}

@test "pid: joining an existing pid namespace by path (a pod's)" {
	# setns only moves later children into a pid namespace: the runtime must
	# enter it before it makes the init, or the init stays on the host's.
	unshare --pid --fork sleep 1000 &
	local unshare_pid=$!
	# unshare --fork blocks SIGTERM while it waits: the namespace's pid 1 is the one to stop.
	on_teardown kill -KILL "$unshare_pid"
	local holder=
	for _ in $(seq 50); do
		holder="$(pgrep -P "$unshare_pid" sleep || true)"
		[ -n "$holder" ] && break
		sleep 0.1
	done
	[ -n "$holder" ]
	on_teardown kill -KILL "$holder"
	local want
	want="$(readlink "/proc/$holder/ns/pid")"
	update_config --arg path "/proc/$holder/ns/pid" \
		'.linux.namespaces |= map(if .type == "pid" then .path = $path else . end)'
	run_in_container sh -c 'readlink /proc/self/ns/pid; echo $$; ls -d /proc/[0-9]* | wc -l'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "$want" ]
	# pid 1 is the namespace's sleep, not the container's shell.
	[ "${lines[1]}" != 1 ]
	[ "${lines[2]}" -ge 2 ]
}

@test "a namespace path that is not a namespace is refused" {
	update_config --arg path "$BUNDLE/config.json" \
		'.linux.namespaces |= map(if .type == "network" then .path = $path else . end)'
	set_args true
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[ -z "$(ls -A "$ROOT")" ]
}
