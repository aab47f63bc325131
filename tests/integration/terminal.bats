#!/usr/bin/env bats
# process.terminal: a pty handed over --console-socket, seen from inside.

load helpers

RECVTTY="$INTEGRATION_DIR/recvtty.py"

# Starts the receiver on $SOCK in the background, its output in $TTY_OUT.
start_recvtty() {
	command -v python3 >/dev/null || skip "python3 is needed for the console-socket receiver"
	SOCK="$BATS_TEST_TMPDIR/console.sock"
	TTY_OUT="$BATS_TEST_TMPDIR/tty.out"
	python3 "$RECVTTY" "$SOCK" "$@" >"$TTY_OUT" 2>&1 &
	RECVTTY_PID=$!
	on_teardown kill "$RECVTTY_PID"
	local i
	for ((i = 0; i < 50; i++)); do
		[ -S "$SOCK" ] && return 0
		sleep 0.1
	done
	fail "recvtty did not start: $(cat "$TTY_OUT")"
}

# Waits for the receiver to see the pty close.
wait_recvtty() {
	local i
	for ((i = 0; i < 100; i++)); do
		kill -0 "$RECVTTY_PID" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$RECVTTY_PID" 2>/dev/null || fail "recvtty still running"
	cat "$TTY_OUT"
}

@test "terminal: the process runs on a pty received over --console-socket" {
	start_recvtty
	update_config '.process.terminal = true'
	set_args sh -c '[ -t 0 ] && [ -t 1 ] && echo is-a-tty; tty; [ -c /dev/console ] && echo console'
	run_berth_detached create --console-socket "$SOCK" --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	berth start "$CID"
	wait_for_status "$CID" stopped
	run wait_recvtty
	echo "$output"
	[ "${lines[0]}" = is-a-tty ]
	[[ "${lines[1]}" == /dev/pts/* ]]
	[ "${lines[2]}" = console ]
}

@test "terminal: input typed into the master reaches the process" {
	start_recvtty --input $'typed words\n'
	update_config '.process.terminal = true'
	set_args sh -c 'read -r line; echo "got: $line"'
	run_berth_detached run -d --console-socket "$SOCK" --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	run wait_recvtty
	echo "$output"
	[[ "$output" == *"got: typed words"* ]]
}

@test "terminal: create without --console-socket is refused and leaves nothing" {
	update_config '.process.terminal = true'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *console* ]]
	[ -z "$(ls -A "$ROOT")" ]
}

@test "terminal: --console-socket to a path nobody listens on is refused" {
	update_config '.process.terminal = true'
	run_berth_detached create --console-socket "$BATS_TEST_TMPDIR/nobody.sock" --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -ne 0 ]
	[ -z "$(ls -A "$ROOT")" ]
}

@test "terminal false: stdio are not ttys and there is no /dev/console" {
	set_args sh -c '[ -t 0 ] || [ -t 1 ] || echo no-tty; [ -e /dev/console ] || echo no-console'
	run_berth run --bundle "$BUNDLE" "$CID" </dev/null
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "no-tty no-console" ]
}
