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

@test "checkpoint: --criu names the binary, a path or a name in PATH" {
	start_sleeper
	local bin
	bin="$(fake_failing_criu)"
	mv "$bin/criu" "$bin/my-criu"
	PATH="$(path_without_criu)" run "$BERTH" --root "$ROOT" --criu "$bin/my-criu" checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"criu check failed ($bin/my-criu cannot"*"fake kernel feature missing"* ]]
	PATH="$bin" run "$BERTH" --root "$ROOT" --criu my-criu checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	[[ "$output" == *"fake kernel feature missing"* ]]
	run_berth --criu "$BATS_TEST_TMPDIR/none/criu" checkpoint "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--criu $BATS_TEST_TMPDIR/none/criu: No such file or directory"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/img" ]
	[ "$(container_status "$CID")" = running ]
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

# criu's own verdict on this host: "" when `criu check` passes, else its
# first error line (criu 3.17 on 6.18: "vdso: Unexpected rt vDSO area bounds").
criu_check_error() {
	criu check >/dev/null 2>&1 && return 0
	criu check 2>&1 | grep -m1 Error || echo "criu check exits non-zero"
}

require_working_criu() {
	command -v criu >/dev/null || skip "criu not installed (Debian: apt-get install criu)"
	local err
	err="$(criu_check_error)"
	[ -z "$err" ] || skip "criu check fails on this kernel: $err"
}

# A criu in front of the real one: answers `check` with success and records
# every other command line in $bin/argv-<command> before handing it to the
# real criu, so the real criu's parser and log show what berth passed.
recording_criu() {
	local bin real
	bin="$(path_without_criu)"
	real="$(command -v criu)"
	cat >"$bin/criu" <<-SH
		#!/bin/sh
		[ "\$1" = check ] && exit 0
		printf '%s\n' "\$@" >"$bin/argv-\$1"
		exec "$real" "\$@"
	SH
	chmod +x "$bin/criu"
	echo "$bin"
}

# Only where the real criu cannot work here: a restore through the recording
# criu from an image dir that holds nothing but an empty inventory, so criu
# fails after parsing berth's flags. Runs berth restore -d with "$@" and
# leaves $bin (the recording dir), $output and $status; prints what criu got.
failed_recorded_restore() {
	command -v criu >/dev/null || skip "criu not installed (Debian: apt-get install criu)"
	[ -n "$(criu_check_error)" ] || skip "criu works here: the real checkpoint tests cover these flags"
	bin="$(recording_criu)"
	mkdir -p "$BATS_TEST_TMPDIR/img"
	touch "$BATS_TEST_TMPDIR/img/inventory.img"
	PATH="$bin" run "$BERTH" --root "$ROOT" restore -d --bundle "$BUNDLE" --image-path "$BATS_TEST_TMPDIR/img" \
		"$@" "$CID"
	echo "$output"
	cat "$bin/argv-restore"
}

@test "checkpoint and restore: the real criu failing its check is reported with criu's own message" {
	command -v criu >/dev/null || skip "criu not installed (Debian: apt-get install criu)"
	local err
	err="$(criu_check_error)"
	[ -n "$err" ] || skip "criu check passes here: the real dump below runs instead"
	start_sleeper
	run_berth checkpoint --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"checkpoint: criu check failed ($(command -v criu) cannot checkpoint on this kernel): $err"* ]]
	[ ! -e "$BATS_TEST_TMPDIR/img" ]
	[ "$(container_status "$CID")" = running ]

	# restore refuses the same way and leaves no container.
	mkdir -p "$BATS_TEST_TMPDIR/img2"
	touch "$BATS_TEST_TMPDIR/img2/inventory.img"
	run_berth restore -d --bundle "$BUNDLE" --image-path "$BATS_TEST_TMPDIR/img2" restored
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"restore: criu check failed"*"$err"* ]]
	run_berth state restored
	[ "$status" -ne 0 ]
}

@test "checkpoint: runc's criu flags reach the real criu's command line" {
	command -v criu >/dev/null || skip "criu not installed (Debian: apt-get install criu)"
	[ -n "$(criu_check_error)" ] || skip "criu works here: the real checkpoint tests cover these flags"
	start_sleeper
	local bin pid
	bin="$(recording_criu)"
	pid="$(container_pid "$CID")"
	mkdir -p "$BATS_TEST_TMPDIR/work"
	PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" \
		--work-path "$BATS_TEST_TMPDIR/work" --leave-running --tcp-established --ext-unix-sk --shell-job \
		--file-locks --manage-cgroups-mode soft --lazy-pages --auto-dedup --empty-ns network "$CID"
	echo "$output"
	cat "$bin/argv-dump"
	# The real criu parsed the whole command line and stopped at the kernel
	# (its log is in the work path); berth names criu's first error and the log.
	[ "$status" -ne 0 ]
	grep -q '^([ 0-9.]*) Version: ' "$BATS_TEST_TMPDIR/work/dump.log"
	local first
	first="$(grep -m1 Error "$BATS_TEST_TMPDIR/work/dump.log" | sed 's/^([ 0-9.]*) //')"
	[[ "$output" == *"checkpoint $CID: criu failed: "*"$first (see $BATS_TEST_TMPDIR/work/dump.log)"* ]]
	local f
	for f in --tcp-established --ext-unix-sk --shell-job --file-locks --lazy-pages --leave-running \
		--manage-cgroups=soft; do
		grep -qx -- "$f" "$bin/argv-dump" || fail "criu dump was not given $f"
	done
	grep -qx -- --auto-dedup "$bin/argv-dump"
	grep -A1 -x -- --empty-ns "$bin/argv-dump" | grep -qx net
	grep -A1 -x -- --tree "$bin/argv-dump" | grep -qx "$pid"
	grep -A1 -x -- --images-dir "$bin/argv-dump" | grep -qx "$BATS_TEST_TMPDIR/img"
	grep -A1 -x -- --work-dir "$bin/argv-dump" | grep -qx "$BATS_TEST_TMPDIR/work"
	# A failed dump leaves the container as it was.
	[ "$(container_status "$CID")" = running ]

	# --pre-dump, then a dump on top of it with --parent-path.
	PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --pre-dump --image-path "$BATS_TEST_TMPDIR/pre" "$CID"
	[ "$status" -ne 0 ]
	[ "$(head -1 "$bin/argv-pre-dump")" = pre-dump ]
	grep -qx -- --track-mem "$bin/argv-pre-dump"
	! grep -qx -- --leave-running "$bin/argv-pre-dump" || false
	[ -e "$BATS_TEST_TMPDIR/pre/pre-dump.log" ]
	PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --parent-path ../pre --image-path "$BATS_TEST_TMPDIR/full" "$CID"
	[ "$status" -ne 0 ]
	grep -A1 -x -- --prev-images-dir "$bin/argv-dump" | grep -qx ../pre
	grep -qx -- --track-mem "$bin/argv-dump"
	[ "$(container_status "$CID")" = running ]
}

@test "restore: runc's criu flags reach the real criu and a failed restore leaves nothing" {
	local bin
	failed_recorded_restore --work-path "$BATS_TEST_TMPDIR/work" --tcp-established --ext-unix-sk --shell-job \
		--file-locks --manage-cgroups-mode full --lazy-pages
	[ "$status" -ne 0 ]
	grep -q '^([ 0-9.]*) Version: ' "$BATS_TEST_TMPDIR/work/restore.log"
	[[ "$output" == *"restore $CID: criu failed: "*"(see $BATS_TEST_TMPDIR/work/restore.log)"* ]]
	local f
	for f in --tcp-established --ext-unix-sk --shell-job --file-locks --lazy-pages --manage-cgroups=full \
		--restore-detached; do
		grep -qx -- "$f" "$bin/argv-restore" || fail "criu restore was not given $f"
	done
	grep -A1 -x -- --root "$bin/argv-restore" | grep -q "/rootfs$"
	run_berth state "$CID"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$CID" ]
}

@test "checkpoint: --page-server and --status-fd reach criu as runc passes them" {
	command -v criu >/dev/null || skip "criu not installed (Debian: apt-get install criu)"
	[ -n "$(criu_check_error)" ] || skip "criu works here: the real checkpoint tests cover these flags"
	start_sleeper
	local bin
	bin="$(recording_criu)"
	# criu dump --page-server --address A --port P (runc's CriuPageServerInfo).
	PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" \
		--page-server 127.0.0.1:27001 "$CID"
	echo "$output"
	cat "$bin/argv-dump"
	[ "$status" -ne 0 ]
	grep -qx -- --page-server "$bin/argv-dump"
	grep -A1 -x -- --address "$bin/argv-dump" | grep -qx 127.0.0.1
	grep -A1 -x -- --port "$bin/argv-dump" | grep -qx 27001
	# A bracketed IPv6 address loses its brackets, as Go's SplitHostPort does.
	PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" --page-server '[::1]:27002' "$CID"
	grep -A1 -x -- --address "$bin/argv-dump" | grep -qx ::1
	# --status-fd goes with --lazy-pages; criu inherits the fd.
	PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" --lazy-pages \
		--status-fd 7 "$CID" 7>"$BATS_TEST_TMPDIR/status"
	echo "$output"
	cat "$bin/argv-dump"
	grep -qx -- --lazy-pages "$bin/argv-dump"
	grep -A1 -x -- --status-fd "$bin/argv-dump" | grep -qx 7
	# Without --lazy-pages runc does not pass it on; berth says so.
	PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" --status-fd 7 "$CID" \
		7>"$BATS_TEST_TMPDIR/status"
	[[ "$output" == *"--status-fd is only used with --lazy-pages"* ]]
	! grep -qx -- --status-fd "$bin/argv-dump" || false
	[ "$(container_status "$CID")" = running ]
}

@test "checkpoint: a bad --page-server or --status-fd is refused before criu runs" {
	start_sleeper
	local bin
	bin="$(path_without_criu)"
	cat >"$bin/criu" <<-SH
		#!/bin/sh
		[ "\$1" = check ] && exit 0
		touch "$bin/ran-\$1"
		exit 1
	SH
	chmod +x "$bin/criu"
	local bad
	for bad in 127.0.0.1 :27 host: ::1:27; do
		PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" --page-server "$bad" "$CID"
		echo "$bad: $output"
		[ "$status" -ne 0 ]
		[[ "$output" == *"use --page-server ADDRESS:PORT to specify page server"* ]]
	done
	PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --page-server 127.0.0.1:http "$CID"
	[[ "$output" == *"invalid port number"* ]]
	# Not open, and open read-only: runc checks the fd is there and writable.
	PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" --lazy-pages --status-fd 57 "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--status-fd 57: Bad file descriptor"* ]]
	PATH="$bin" run "$BERTH" --root "$ROOT" checkpoint --image-path "$BATS_TEST_TMPDIR/img" --lazy-pages --status-fd 57 "$CID" 57</dev/null
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--status-fd 57: not open for writing"* ]]
	run_berth checkpoint --status-fd x "$CID"
	[[ "$output" == *'--status-fd: invalid file descriptor "x"'* ]]
	[ ! -e "$bin/ran-dump" ]
	[ ! -e "$BATS_TEST_TMPDIR/img" ]
	[ "$(container_status "$CID")" = running ]
}

@test "restore: --lsm-profile and --lsm-mount-context reach criu restore" {
	local bin
	failed_recorded_restore --lsm-profile apparmor:berth-test \
		--lsm-mount-context system_u:object_r:container_file_t:s0:c1,c2
	[ "$status" -ne 0 ]
	grep -A1 -x -- --lsm-profile "$bin/argv-restore" | grep -qx apparmor:berth-test
	grep -A1 -x -- --lsm-mount-context "$bin/argv-restore" | grep -qx system_u:object_r:container_file_t:s0:c1,c2
	run_berth state "$CID"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$CID" ]
}

@test "checkpoint and restore with a working criu" {
	require_working_criu
	update_config '.process.terminal = false'
	set_args sh -c 'i=0; while true; do i=$((i+1)); echo $i >/tmp/count; sleep 0.1; done'
	run_berth_detached run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	sleep 0.5
	# --leave-running: a checkpoint that keeps the container going.
	run_berth checkpoint --leave-running --image-path "$BATS_TEST_TMPDIR/keep" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -e "$BATS_TEST_TMPDIR/keep/inventory.img" ]
	[ "$(container_status "$CID")" = running ]
	# --pre-dump then a full dump on top of it.
	run_berth checkpoint --pre-dump --image-path "$BATS_TEST_TMPDIR/pre" "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]
	run_berth checkpoint --parent-path ../pre --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	run_berth state "$CID"
	[ "$status" -ne 0 ]
	local before
	before="$(cat "$BUNDLE/rootfs/tmp/count" 2>/dev/null || echo 0)"
	run_berth_detached restore -d --bundle "$BUNDLE" --image-path "$BATS_TEST_TMPDIR/img" "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" running
	sleep 0.5
	# The restored loop goes on counting from where it was.
	[ "$(cat "$BUNDLE/rootfs/tmp/count")" -gt "$before" ]
}
