#!/usr/bin/env bats
# rootless: an unprivileged user made by the test runs a container in a user
# namespace that maps only itself; state under $XDG_RUNTIME_DIR, no cgroup.

load helpers

setup_rootless_user() {
	RL_USER="berthrl$$"
	useradd -M -d /nonexistent -s /bin/sh "$RL_USER" || skip "useradd failed"
	on_teardown userdel "$RL_USER"
	RL_UID="$(id -u "$RL_USER")"
	RL_GID="$(id -g "$RL_USER")"
	RL_HOME="$BATS_TEST_TMPDIR/rl"
	mkdir -p "$RL_HOME/run"
	# The user needs the bundle, its own runtime dir, and the runtime binary.
	cp -a "$BUNDLE" "$RL_HOME/bundle"
	"$BERTH" spec --rootless --bundle "$RL_HOME/spec" 2>/dev/null || mkdir -p "$RL_HOME/spec"
	chown -R "$RL_UID:$RL_GID" "$RL_HOME"
	# Every directory above it must be searchable for the user.
	local d="$BATS_TEST_TMPDIR"
	while [ "$d" != / ] && [ "$d" != /tmp ]; do
		chmod o+x "$d"
		d="$(dirname "$d")"
	done
	RL_BUNDLE="$RL_HOME/bundle"
}

as_user() {
	setpriv --reuid "$RL_UID" --regid "$RL_GID" --clear-groups \
		env -i PATH=/usr/bin:/bin XDG_RUNTIME_DIR="$RL_HOME/run" "$@"
}

@test "rootless: an unprivileged user runs a container mapping itself" {
	setup_rootless_user
	jq --argjson u "$RL_UID" --argjson g "$RL_GID" '
		.linux.namespaces = [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}]
		| .linux.cgroupsPath = ""
		| .mounts |= map(select(.destination != "/sys/fs/cgroup" and .type != "mqueue"))
		| .mounts |= map(if .destination == "/sys" then {"destination": "/sys", "type": "none", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
		| .mounts |= map(if .type == "devpts" then .options -= ["gid=5"] else . end)
		| .process.args = ["sh", "-c", "id -u; cat /proc/self/uid_map; echo in-container"]' \
		"$RL_BUNDLE/config.json" >"$RL_BUNDLE/c.json"
	mv "$RL_BUNDLE/c.json" "$RL_BUNDLE/config.json"
	chown "$RL_UID:$RL_GID" "$RL_BUNDLE/config.json"
	run as_user "$BERTH" --rootless true run --bundle "$RL_BUNDLE" rl1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0 ]
	[[ "${lines[1]}" =~ ^\ *0\ +$RL_UID\ +1$ ]]
	[ "${lines[2]}" = in-container ]
	# State went under $XDG_RUNTIME_DIR/berth and was removed with the container.
	[ -d "$RL_HOME/run/berth" ]
	[ -z "$(ls -A "$RL_HOME/run/berth")" ]
}

@test "rootless: mapping more ids than your own needs newuidmap, with a clear error" {
	setup_rootless_user
	jq --argjson u "$RL_UID" --argjson g "$RL_GID" '
		.linux.namespaces = [{"type": "pid"}, {"type": "mount"}, {"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": 100000, "size": 1000}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}] | del(.hostname)' \
		"$RL_BUNDLE/config.json" >"$RL_BUNDLE/c.json"
	mv "$RL_BUNDLE/c.json" "$RL_BUNDLE/config.json"
	# A PATH without newuidmap, whether or not the uidmap package is installed.
	mkdir -p "$RL_HOME/emptybin"
	run setpriv --reuid "$RL_UID" --regid "$RL_GID" --clear-groups \
		env -i PATH="$RL_HOME/emptybin" XDG_RUNTIME_DIR="$RL_HOME/run" \
		"$BERTH" --rootless true run --bundle "$RL_BUNDLE" rl2
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *newuidmap* ]]
	[[ "$output" == *uidmap* ]]
	[ -z "$(ls -A "$RL_HOME/run/berth")" ]
}

@test "rootless: newuidmap and newgidmap map the subordinate ranges of /etc/subuid and /etc/subgid" {
	command -v newuidmap >/dev/null || skip "newuidmap not installed (Debian package uidmap)"
	setup_rootless_user
	# Subordinate ranges for the test user only, removed again in teardown.
	echo "$RL_USER:300000:65536" >>/etc/subuid
	echo "$RL_USER:300000:65536" >>/etc/subgid
	on_teardown sed -i "/^$RL_USER:/d" /etc/subuid /etc/subgid
	jq --argjson u "$RL_UID" --argjson g "$RL_GID" '
		.linux.namespaces = [{"type": "pid"}, {"type": "ipc"}, {"type": "uts"}, {"type": "mount"}, {"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": $u, "size": 1}, {"containerID": 1, "hostID": 300000, "size": 1000}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": $g, "size": 1}, {"containerID": 1, "hostID": 300000, "size": 1000}]
		| .linux.cgroupsPath = ""
		| .mounts |= map(select(.destination != "/sys/fs/cgroup" and .type != "mqueue"))
		| .mounts |= map(if .destination == "/sys" then {"destination": "/sys", "type": "none", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]} else . end)
		| .process.capabilities.bounding += ["CAP_CHOWN"] | .process.capabilities.effective += ["CAP_CHOWN"]
		| .process.capabilities.permitted += ["CAP_CHOWN"]
		| .process.args = ["sh", "-c", "cat /proc/self/uid_map /proc/self/gid_map; touch /dev/shm/f && chown 7:8 /dev/shm/f && stat -c %u:%g /dev/shm/f"]' \
		"$RL_BUNDLE/config.json" >"$RL_BUNDLE/c.json"
	mv "$RL_BUNDLE/c.json" "$RL_BUNDLE/config.json"
	chown "$RL_UID:$RL_GID" "$RL_BUNDLE/config.json"
	run as_user "$BERTH" --rootless true run --bundle "$RL_BUNDLE" rl3
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^\ *0\ +$RL_UID\ +1$ ]]
	[[ "${lines[1]}" =~ ^\ *1\ +300000\ +1000$ ]]
	[[ "${lines[2]}" =~ ^\ *0\ +$RL_GID\ +1$ ]]
	[[ "${lines[3]}" =~ ^\ *1\ +300000\ +1000$ ]]
	# An id from the subordinate range works inside: chown to 7:8 succeeds.
	[ "${lines[4]}" = 7:8 ]
}
