#!/usr/bin/env bats
# Id-mapped bind mounts: mounts[].uidMappings/gidMappings with "idmap" or
# "ridmap". As in runc 1.2 the mapping is written as given: a file whose
# on-disk id is a containerID shows as the hostID it maps to; in a container
# with a user namespace that host id is then seen through the container's
# own mapping, so mapping 0 -> the container's root shows host files owned
# by 0 as root's inside.

load helpers

# A host directory owned by uid/gid 1000 holding a file of the same owner.
make_owned_dir() {
	SRC="$BATS_TEST_TMPDIR/owned"
	mkdir -p "$SRC"
	echo data >"$SRC/file"
	chown -R 1000:1000 "$SRC"
}

# mounts += a bind of $SRC at /idm with the options given (a JSON array) and
# on-disk id 1000 shown as id 0.
add_idmapped_mount() {
	update_config --arg s "$SRC" --argjson o "$1" '.mounts += [{"destination": "/idm", "type": "bind", "source": $s,
		"options": $o,
		"uidMappings": [{"containerID": 1000, "hostID": 0, "size": 1}],
		"gidMappings": [{"containerID": 1000, "hostID": 0, "size": 1}]}]'
}

# The container gets a user namespace: its ids 0..65535 are host ids 200000...
# (the path to the rootfs must then be searchable by others).
add_userns() {
	local d="$BUNDLE"
	while [ "$d" != / ]; do
		chmod o+x "$d"
		d="$(dirname "$d")"
	done
	# The container's root cannot create mount points in the host-owned rootfs.
	mkdir -p "$BUNDLE/$(jq -r .root.path "$BUNDLE/config.json")"/{idm,plain}
	update_config '.linux.namespaces += [{"type": "user"}]
		| .linux.uidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .linux.gidMappings = [{"containerID": 0, "hostID": 200000, "size": 65536}]
		| .mounts |= map(select(.destination != "/sys/fs/cgroup"))'
}

@test "idmap: a bind mount of a dir owned by 1000 mapped to 0 is owned by root inside" {
	make_owned_dir
	add_idmapped_mount '["bind", "idmap"]'
	run_in_container sh -c 'stat -c "%u:%g" /idm /idm/file; echo new >/idm/made; stat -c "%u:%g" /idm/made'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0:0 ]
	[ "${lines[1]}" = 0:0 ]
	# A file root makes inside lands on the host as 1000.
	[ "${lines[2]}" = 0:0 ]
	[ "$(stat -c %u:%g "$SRC/made")" = 1000:1000 ]
	# The host's view is unchanged.
	[ "$(stat -c %u "$SRC/file")" = 1000 ]
}

@test "idmap: the mapping reads containerID as the on-disk id and hostID as the id shown (runc 1.2)" {
	SRC="$BATS_TEST_TMPDIR/rootowned"
	mkdir -p "$SRC"
	echo data >"$SRC/file"
	update_config --arg s "$SRC" '.mounts += [{"destination": "/idm", "type": "bind", "source": $s, "options": ["bind", "idmap"],
		"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}],
		"gidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}]'
	# Root's writes fail: uid 0 is outside what the mount maps to (runc: ERANGE/EOVERFLOW).
	run_in_container sh -c 'stat -c "%u:%g" /idm/file; touch /idm/new'
	echo "$output"
	[ "$status" -ne 0 ]
	[ "${lines[0]}" = 100000:100000 ]
	[ ! -e "$SRC/new" ]
	# A process running as 100000 writes as the on-disk root.
	update_config '.process.user = {"uid": 100000, "gid": 100000}'
	run_in_container sh -c 'echo x >/idm/by-user; stat -c "%u:%g" /idm/by-user'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 100000:100000 ]
	[ "$(stat -c %u:%g "$SRC/by-user")" = 0:0 ]
}

@test "idmap [userns]: host files owned by 0 show as the container's root, and its files land as 0" {
	SRC="$BATS_TEST_TMPDIR/rootowned"
	mkdir -p "$SRC"
	echo data >"$SRC/file"
	touch "$SRC/one"
	chown 1:1 "$SRC/one"
	add_userns
	update_config --arg s "$SRC" '.mounts += [
		{"destination": "/idm", "type": "bind", "source": $s, "options": ["bind", "idmap"],
		 "uidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}],
		 "gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}]},
		{"destination": "/plain", "type": "bind", "source": $s, "options": ["bind"]}]'
	run_in_container sh -c 'cat /proc/self/uid_map; stat -c "%u:%g" /idm /idm/file /idm/one /plain/file
		echo new >/idm/made && stat -c "%u:%g" /idm/made && mkdir /idm/dir && stat -c "%u:%g" /idm/dir'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo ${lines[0]})" = "0 200000 65536" ]
	[ "${lines[1]}" = 0:0 ]
	[ "${lines[2]}" = 0:0 ]
	[ "${lines[3]}" = 1:1 ]
	# The same directory bound without the mapping: host root is unmapped here.
	[ "${lines[4]}" = "$(cat /proc/sys/kernel/overflowuid):$(cat /proc/sys/kernel/overflowgid)" ]
	[ "${lines[5]}" = 0:0 ]
	[ "${lines[6]}" = 0:0 ]
	# On the host the container root's new files are owned by 0, not 200000.
	[ "$(stat -c %u:%g "$SRC/made" "$SRC/dir" | sort -u)" = 0:0 ]
	[ "$(stat -c %u:%g "$SRC/file")" = 0:0 ]
	[ -z "$(mounts_under "$BUNDLE")" ]
}

@test "idmap [userns]: a partial mapping (one id) and ridmap over a submount" {
	make_owned_dir
	mkdir -p "$SRC/sub"
	mount -t tmpfs -o uid=1000,gid=1000 tmpfs "$SRC/sub"
	on_teardown umount "$SRC/sub"
	add_userns
	# On-disk 1000 -> host 200005 -> the container's 5.
	update_config --arg s "$SRC" '.mounts += [{"destination": "/idm", "type": "bind", "source": $s, "options": ["rbind", "ridmap"],
		"uidMappings": [{"containerID": 1000, "hostID": 200005, "size": 1}],
		"gidMappings": [{"containerID": 1000, "hostID": 200007, "size": 1}]}]'
	run_in_container stat -c "%u:%g" /idm/file /idm/sub
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 5:7 ]
	[ "${lines[1]}" = 5:7 ]
}

@test "idmap [userns]: a source whose filesystem cannot be idmapped is a clear error, nothing left behind" {
	# procfs does not support idmapped mounts on any kernel.
	add_userns
	update_config '.mounts += [{"destination": "/idm", "type": "bind", "source": "/proc/sys", "options": ["rbind", "idmap"],
		"uidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}],
		"gidMappings": [{"containerID": 0, "hostID": 200000, "size": 65536}]}]'
	run_in_container true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"mounts["*"/proc/sys on /idm"*"does not support idmapped mounts"* ]]
	run_berth state "$CID"
	[ "$status" -ne 0 ]
	[ -z "$(mounts_under "$BUNDLE")" ]
}

@test "idmap: ridmap maps submounts too" {
	make_owned_dir
	mkdir -p "$SRC/sub"
	mount -t tmpfs -o uid=1000,gid=1000 tmpfs "$SRC/sub"
	on_teardown umount "$SRC/sub"
	add_idmapped_mount '["rbind", "ridmap"]'
	run_in_container stat -c %u /idm/sub
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 0 ]
}

@test "idmap: ids outside the mapping show as the overflow id" {
	make_owned_dir
	chown 2000:2000 "$SRC/file"
	add_idmapped_mount '["bind", "idmap"]'
	run_in_container stat -c %u /idm/file
	[ "$status" -eq 0 ]
	[ "$output" = 65534 ]
}

@test "idmap: idmap on a non-bind mount is refused naming the mount" {
	update_config '.mounts += [{"destination": "/idm", "type": "tmpfs", "source": "tmpfs", "options": ["idmap"]}]'
	run_in_container true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *'"/idm"'*"bind mounts only"* ]]
}

@test "idmap: idmap without mappings is refused" {
	make_owned_dir
	update_config --arg s "$SRC" '.mounts += [{"destination": "/idm", "type": "bind", "source": $s, "options": ["bind", "idmap"]}]'
	run_in_container true
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"needs uidMappings and gidMappings"* ]]
}
