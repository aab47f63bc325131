#!/usr/bin/env bats
# checkpoint and restore through criu: the error paths (criu missing, criu
# failing `criu check`) leave the container as it was and no checkpoint
# behind; features' checkpoint annotation says what this host can do. The
# real dump/restore runs only where a working criu is found.

load helpers

# A PATH holding the basics (no criu) and, when given, a fake criu.
path_without_criu() {
	local bin="$BATS_TEST_TMPDIR/bin" t
	mkdir -p "$bin"
	for t in sh cat mkdir; do ln -sf "$(command -v "$t")" "$bin/$t"; done
	echo "$bin"
}

fake_failing_criu() {
	local bin
	bin="$(path_without_criu)"
	cat >"$bin/criu" <<-'SH'
		#!/bin/sh
		if [ "$1" = check ]; then
			echo "Warn  (criu/kerndat.c:1): something minor"
			echo "Error (criu/cr-check.c:42): fake kernel feature missing"
			echo "Error (criu/cr-check.c:43): a second one"
			exit 1
		fi
		echo "criu $1 must not run after a failed check" >&2
		touch "$(dirname "$0")/ran-$1"
		exit 1
	SH
	chmod +x "$bin/criu"
	echo "$bin"
}

start_sleeper() {
	set_args sleep 1000
	run_berth_detached run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
}

@test "checkpoint: criu missing from PATH is a clear error, the container keeps running" {
	start_sleeper
	PATH="$(path_without_criu)" run "$BERTH" --root "$ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"checkpoint: criu not found in PATH (Debian: apt-get install criu)"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/img" ]
	[ "$(container_status "$CID")" = running ]
}

@test "checkpoint: criu failing its check reports criu's first error" {
	start_sleeper
	local bin
	bin="$(fake_failing_criu)"
	PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"criu check failed"*"Error (criu/cr-check.c:42): fake kernel feature missing"* ]]
	[[ "$output" != *"a second one"* ]]
	[ ! -e "$bin/ran-dump" ]
	[ ! -e "$BATS_TEST_TMPDIR/img" ]
	[ "$(container_status "$CID")" = running ]
}

@test "checkpoint: a container that is not running is refused before criu is looked at" {
	create_container
	PATH="$(path_without_criu)" run "$BERTH" --root "$ROOT" checkpoint "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"only a running container can be checkpointed"* ]]
	run_berth checkpoint --manage-cgroups-mode loose "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--manage-cgroups-mode"* ]]
}

@test "restore: criu missing or failing leaves no container behind" {
	mkdir -p "$BATS_TEST_TMPDIR/img"
	PATH="$(path_without_criu)" run "$BERTH" --root "$ROOT" restore --bundle "$BUNDLE" --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"restore: criu not found in PATH"* ]]
	run_berth state "$CID"
	[ "$status" -ne 0 ]

	PATH="$(fake_failing_criu)" run "$BERTH" --root "$ROOT" restore -d --bundle "$BUNDLE" --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"fake kernel feature missing"* ]]
	run_berth state "$CID"
	[ "$status" -ne 0 ]
}

@test "features: the checkpoint annotation matches whether criu works here" {
	run "$BERTH" features
	[ "$status" -eq 0 ]
	local annotated usable=false
	annotated="$(echo "$output" | jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]')"
	if command -v criu >/dev/null && criu check >/dev/null 2>&1; then usable=true; fi
	[ "$annotated" = "$usable" ]
	# With a failing criu first in PATH, and with none, it says false.
	PATH="$(fake_failing_criu)" run "$BERTH" features
	[ "$(echo "$output" | jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]')" = false ]
	PATH="$(path_without_criu)" run "$BERTH" features
	[ "$(echo "$output" | jq -r '.annotations["org.opencontainers.runc.checkpoint.enabled"]')" = false ]
}

@test "checkpoint and restore with a working criu" {
	command -v criu >/dev/null || skip "criu not installed"
	criu check >/dev/null 2>&1 || skip "criu check fails on this kernel: $(criu check 2>&1 | grep -m1 Error)"
	update_config '.process.terminal = false'
	set_args sh -c 'i=0; while true; do i=$((i+1)); echo $i >/tmp/count; sleep 0.1; done'
	run_berth_detached run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	sleep 0.5
	run_berth checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	run_berth_detached restore -d --bundle "$BUNDLE" --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
}
