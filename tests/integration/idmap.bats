#!/usr/bin/env bats
# Id-mapped bind mounts: mounts[].uidMappings/gidMappings with "idmap" or
# "ridmap" show the host's files under the mapped owners inside the container.

load helpers

# A host directory owned by uid/gid 1000 holding a file of the same owner.
make_owned_dir() {
	SRC="$BATS_TEST_TMPDIR/owned"
	mkdir -p "$SRC"
	echo data >"$SRC/file"
	chown -R 1000:1000 "$SRC"
}

# mounts += a bind of $SRC at /idm with the options given (a JSON array) and
# host id 1000 mapped to container id 0.
add_idmapped_mount() {
	update_config --arg s "$SRC" --argjson o "$1" '.mounts += [{"destination": "/idm", "type": "bind", "source": $s,
		"options": $o,
		"uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}],
		"gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}]'
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
