#!/usr/bin/env bats
# A bad bundle is refused with a message naming the problem, and leaves
# nothing behind: no state dir, no cgroup, no mount, no process.
#
# berth words its errors as `berth: create <id>: config.json: <json path>: ...`;
# the assertions match the stable part (the JSON path or the file), which
# runc's messages mostly contain too. Those runc does not are marked.

load helpers

# The create must have failed and left no trace of the container.
assert_create_failed_cleanly() {
	[ "$status" -ne 0 ] || fail "create succeeded: $output"
	[ -z "$(find "$ROOT" -mindepth 1 -maxdepth 1)" ] || fail "state left: $(ls -A "$ROOT")"
	[ -z "$(mounts_under "$BUNDLE")" ] || fail "mounts left: $(mounts_under "$BUNDLE")"
	[ -z "$(cgroups_named "$CID")" ] || fail "cgroups left: $(cgroups_named "$CID")"
	! berth state "$CID" >/dev/null 2>&1 || fail "state of $CID still answers"
}

@test "malformed JSON is refused" {
	echo '{"ociVersion": "1.0.2", "process": {' >"$BUNDLE/config.json"
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	# runc says only "unexpected EOF" (runc fails this).
	[[ "$output" == *config.json* ]]
}

@test "a missing config.json is refused" {
	rm "$BUNDLE/config.json"
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	[[ "$output" == *config.json* ]]
}

@test "process.args as a string is refused naming process.args" {
	update_config '.process.args = "sh"'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	[[ "$output" == *process.args* ]]
}

@test "process.user.uid as a string is refused naming process.user.uid" {
	update_config '.process.user.uid = "root"'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	# runc names the Go field (User.process.user.uid).
	[[ "$output" == *process.user.uid* ]]
}

@test "a missing rootfs directory is refused" {
	rm -rf "$BUNDLE/rootfs"
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	[[ "$output" == *rootfs* ]]
}

@test "an unknown namespace type is refused naming it" {
	update_config '.linux.namespaces += [{"type": "pdi"}]'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	# berth: linux.namespaces[5].type: unknown namespace "pdi"
	[[ "$output" == *pdi* ]]
}

@test "a namespace listed twice is refused" {
	update_config '.linux.namespaces += [{"type": "uts"}]'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	[[ "$output" == *uts* ]]
}

# The runtime-spec asks for a warning, not a failure, for capabilities that
# cannot be granted (runc does the same).
@test "an unknown capability is named in a warning" {
	update_config '.process.capabilities.bounding += ["CAP_NOT_A_THING"]'
	set_args true
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *CAP_NOT_A_THING* ]]
}

@test "an unknown rlimit type is refused naming it" {
	update_config '.process.rlimits += [{"type": "RLIMIT_BOGUS", "hard": 1, "soft": 1}]'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	[[ "$output" == *RLIMIT_BOGUS* ]]
}

@test "args[0] missing from the rootfs is refused naming it" {
	set_args /bin/no-such-program arg
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	[[ "$output" == *no-such-program* ]]
}

@test "a command not on PATH is refused naming it" {
	set_args no-such-command
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	[[ "$output" == *no-such-command* ]]
}

@test "run with a bad config fails the same way and leaves nothing" {
	update_config '.process.args = "sh"'
	run_berth run --bundle "$BUNDLE" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	[[ "$output" == *process.args* ]]
}

@test "a duplicate id is refused and the first container is untouched" {
	set_args sleep 1000
	create_container
	local pid
	pid="$(container_pid "$CID")"
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	# runc: "container with given ID already exists" (no id in it; runc fails this).
	[[ "$output" == *"$CID"* ]]
	[ "$(container_pid "$CID")" = "$pid" ]
	[ "$(container_status "$CID")" = created ]
	[ "$(ls -A "$ROOT")" = "$CID" ]
}

@test "an invalid container id is refused" {
	run_berth_detached create --bundle "$BUNDLE" "../escape"
	echo "$output"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/../escape" ]
	[ -z "$(find "$ROOT" -mindepth 1 -maxdepth 1)" ]
}

@test "a bundle directory that does not exist is refused" {
	run_berth_detached create --bundle "$BATS_TEST_TMPDIR/nowhere" "$CID"
	echo "$output"
	assert_create_failed_cleanly
	[[ "$output" == *nowhere* ]]
}
