#!/usr/bin/env bats
# Mounts: the spec's mounts as the container sees them, masking, read-only
# paths, propagation, and mount targets that try to leave the rootfs.

load helpers

@test "every spec mount is in /proc/self/mountinfo with its type" {
	run_in_container cat /proc/self/mountinfo
	[ "$status" -eq 0 ]
	local info="$output" dest type
	while read -r dest type; do
		[ "$type" = bind ] && continue
		local got
		got="$(mount_line "$dest" <<<"$info" | cut -d' ' -f1)"
		# A v1 cgroup mount at /sys/fs/cgroup is a tmpfs holding the hierarchies.
		if [ "$dest" = /sys/fs/cgroup ] && [ "$got" = tmpfs ]; then continue; fi
		[ "$got" = "$type" ] || fail "$dest: type '$got', wanted '$type'"
	done < <(jq -r '.mounts[] | "\(.destination) \(.type)"' "$BUNDLE/config.json")
	[ "$(mount_line / <<<"$info" | cut -d' ' -f2 | cut -d, -f1)" = ro ]
}

@test "mount options are applied (nosuid, noexec, nodev, ro)" {
	run_in_container cat /proc/self/mountinfo
	[ "$status" -eq 0 ]
	local sys shm
	sys="$(mount_line /sys <<<"$output")"
	shm="$(mount_line /dev/shm <<<"$output")"
	[[ "$sys" == "sysfs ro,"* ]]
	[[ "$sys" == *nosuid* && "$sys" == *nodev* && "$sys" == *noexec* ]]
	[[ "$shm" == *nosuid* && "$shm" == *nodev* && "$shm" == *noexec* ]]
}

@test "a read-only bind mount is readable and not writable" {
	mkdir "$BATS_TEST_TMPDIR/data"
	echo hello >"$BATS_TEST_TMPDIR/data/file"
	update_config --arg src "$BATS_TEST_TMPDIR/data" \
		'.mounts += [{"destination": "/data", "type": "bind", "source": $src, "options": ["rbind", "ro"]}]'
	run_in_container sh -c 'cat /data/file; touch /data/new 2>&1 || echo refused; awk "\$5 == \"/data\" { print \$6 }" /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${lines[0]}" = hello ]
	[[ "$output" == *refused* ]]
	[[ "${lines[-1]}" == ro,* ]]
	[ ! -e "$BATS_TEST_TMPDIR/data/new" ]
}

@test "a read-write bind mount writes through to the host" {
	mkdir "$BATS_TEST_TMPDIR/data"
	update_config --arg src "$BATS_TEST_TMPDIR/data" \
		'.mounts += [{"destination": "/data", "type": "none", "source": $src, "options": ["bind"]}]'
	run_in_container sh -c 'echo written > /data/new'
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/data/new")" = written ]
}

@test "a bind mount of a file creates the target file" {
	echo content >"$BATS_TEST_TMPDIR/one-file"
	update_config --arg src "$BATS_TEST_TMPDIR/one-file" \
		'.mounts += [{"destination": "/etc/one-file", "type": "bind", "source": $src, "options": ["bind", "ro"]}]'
	run_in_container cat /etc/one-file
	[ "$status" -eq 0 ]
	[ "$output" = content ]
}

@test "tmpfs options size, mode and flags are applied" {
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs",
	                             "options": ["size=1m", "mode=700", "nosuid", "nodev", "noexec"]}]'
	run_in_container sh -c 'stat -c %a /scratch; awk "\$5 == \"/scratch\"" /proc/self/mountinfo'
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${lines[0]}" = 700 ]
	[[ "${lines[1]}" == *" - tmpfs "* ]]
	[[ "${lines[1]}" == *size=1024k* ]]
	[[ "${lines[1]}" == *mode=700* ]]
	[[ "${lines[1]}" == *nosuid* && "${lines[1]}" == *nodev* && "${lines[1]}" == *noexec* ]]
}

@test "a mount on a symlink pointing out of the rootfs stays inside it" {
	local host_dir="$BATS_TEST_TMPDIR/host-target"
	mkdir "$host_dir" "$BATS_TEST_TMPDIR/src"
	echo marker >"$BATS_TEST_TMPDIR/src/marker"
	ln -s "$host_dir" "$BUNDLE/rootfs/abs-link"
	ln -s ../../../../../../../../../../.. "$BUNDLE/rootfs/rel-link"
	update_config --arg src "$BATS_TEST_TMPDIR/src" \
		'.root.readonly = false
		 | .mounts += [{"destination": "/abs-link", "type": "bind", "source": $src, "options": ["bind"]},
		               {"destination": "/rel-link/escaped", "type": "tmpfs", "source": "tmpfs"}]'
	run_in_container sh -c 'cat /abs-link/marker; awk "\$5 ~ /host-target|escaped/ { print \$5 }" /proc/self/mountinfo'
	echo "$output"
	[ "$status" -eq 0 ]
	# The symlink was resolved inside the rootfs, so the mount is visible there.
	[ "${lines[0]}" = marker ]
	# Nothing on the host side: no mount, no file, no directory made outside.
	[ -z "$(ls -A "$host_dir")" ]
	[ -z "$(mounts_under "$host_dir")" ]
	[ ! -e /escaped ]
	[ -z "$(mounts_under /escaped)" ]
	[ -z "$(mounts_under "$BATS_TEST_TMPDIR/src")" ]
}

@test "maskedPaths are unreadable" {
	update_config '.linux.maskedPaths += ["/etc/passwd", "/home"]'
	run_in_container sh -c 'wc -c < /etc/passwd; ls -A /home | wc -l; ls -A /sys/firmware | wc -l
		for p in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do [ -e $p ] && wc -c < $p; done; true'
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${#lines[@]}" -ge 3 ]
	local line
	for line in "${lines[@]}"; do [ "$line" = 0 ]; done
}

@test "readonlyPaths are not writable" {
	update_config '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs"}]
		| .linux.readonlyPaths += ["/scratch"]'
	run_in_container sh -c 'touch /scratch/x 2>/dev/null && echo wrote-scratch; echo 1 2>/dev/null > /proc/sys/kernel/ns_last_pid && echo wrote-sys; echo done'
	[ "$status" -eq 0 ]
	[ "$output" = done ]
}

@test "root.readonly makes / read-only; false makes it writable" {
	update_config '.root.readonly = true'
	run_in_container sh -c 'touch /newfile 2>/dev/null && echo wrote; echo done'
	[ "$status" -eq 0 ]
	[ "$output" = done ]
	[ ! -e "$BUNDLE/rootfs/newfile" ]

	update_config '.root.readonly = false'
	run_in_container sh -c 'touch /newfile && echo wrote'
	[ "$status" -eq 0 ]
	[ "$output" = wrote ]
	[ -e "$BUNDLE/rootfs/newfile" ]
}

root_mount_for() {
	update_config --arg p "$1" '.linux.rootfsPropagation = $p'
	run_in_container sh -c 'awk "\$5 == \"/\"" /proc/self/mountinfo'
	[ "$status" -eq 0 ] || fail "$1: $output"
	echo "$1: $output"
}

@test "rootfsPropagation private: the root mount has no peers" {
	root_mount_for private
	[[ "$output" != *shared:* && "$output" != *master:* ]]
}

@test "rootfsPropagation slave: the root mount is not shared" {
	root_mount_for slave
	[[ "$output" != *shared:* ]]
	# A slave of a private mount has no master: only where the host's mount
	# is shared does one show.
	if [[ "$(awk '$5 == "/"' /proc/self/mountinfo)" == *shared:* ]]; then
		[[ "$output" == *master:* ]]
	fi
}

# runc 1.1.5 leaves the root private when the host's / is private (runc fails this).
@test "rootfsPropagation shared: the root mount is shared" {
	root_mount_for shared
	[[ "$output" == *shared:* ]]
}

@test "--no-pivot runs the container in its rootfs" {
	set_args sh -c 'cat /etc/group | head -n 1; ls /bin/busybox'
	run_berth run --no-pivot --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = root:x:0: ]
	[ "${lines[1]}" = /bin/busybox ]
}

@test "a relative mount source is relative to the bundle" {
	mkdir "$BUNDLE/rel-src"
	echo rel >"$BUNDLE/rel-src/f"
	update_config '.mounts += [{"destination": "/rel", "type": "bind", "source": "rel-src", "options": ["bind"]}]'
	run_in_container cat /rel/f
	[ "$status" -eq 0 ]
	[ "$output" = rel ]
}
