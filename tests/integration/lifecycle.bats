#!/usr/bin/env bats
# Container lifecycle: create, start, state, list, kill, delete, run.

load helpers

# An init that exits 42 on SIGTERM: a pid-namespace init without a handler
# would ignore the signal, so a handler is what makes TERM observable.
set_term_trap_args() {
	set_args sh -c 'trap "exit 42" TERM; echo ready; while :; do sleep 0.1; done'
}

@test "create, start, kill, delete walk through created, running, stopped, gone" {
	set_args sleep 1000
	create_container
	[ "$(container_status "$CID")" = created ]

	run_berth start "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]

	run_berth kill "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped

	run_berth delete "$CID"
	[ "$status" -eq 0 ]
	run_berth state "$CID"
	[ "$status" -ne 0 ]
	[ ! -e "$ROOT/$CID" ]
}

@test "start runs the process the config names" {
	set_args sh -c 'echo started > /dev/shm/out; cat /dev/shm/out'
	create_container
	[ ! -s "$CTR_STDOUT" ]
	run_berth start "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	[ "$(cat "$CTR_STDOUT")" = started ]
}

@test "start of a running container fails" {
	set_args sleep 1000
	create_container
	berth start "$CID"
	run_berth start "$CID"
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = running ]
}

@test "run in the foreground returns the container's exit status" {
	run_in_container true
	[ "$status" -eq 0 ]

	run_in_container sh -c 'echo out; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = out ]
}

@test "run removes the container after it exits" {
	run_in_container sh -c 'exit 0'
	[ "$status" -eq 0 ]
	run_berth state "$CID"
	[ "$status" -ne 0 ]
	[ -z "$(berth list -q)" ]
}

@test "run of a container killed by SIGKILL returns 128+9" {
	set_args sleep 1000
	"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "$CID" </dev/null >"$CTR_STDOUT" 2>&1 &
	local runner=$!
	wait_for_status "$CID" running
	kill -9 "$(container_pid "$CID")"
	local rc=0
	wait "$runner" || rc=$?
	[ "$rc" -eq 137 ]
}

@test "run --detach returns at once and leaves the container running" {
	set_args sleep 1000
	run_berth_detached run --detach --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]

	run_berth_detached run -d --bundle "$BUNDLE" "${CID}-b"
	[ "$status" -eq 0 ]
	[ "$(container_status "${CID}-b")" = running ]
}

@test "create --pid-file writes the init's host pid" {
	set_args sleep 1000
	run_berth_detached create --bundle "$BUNDLE" --pid-file "$BATS_TEST_TMPDIR/pid" "$CID"
	[ "$status" -eq 0 ]
	local pid
	pid="$(cat "$BATS_TEST_TMPDIR/pid")"
	[ "$pid" = "$(container_pid "$CID")" ]
	[ -d "/proc/$pid" ]
}

@test "run --detach --pid-file with a relative path is relative to the cwd" {
	set_args sleep 1000
	cd "$BATS_TEST_TMPDIR"
	run_berth_detached run -d -b "$BUNDLE" --pid-file rel.pid "$CID"
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/rel.pid")" = "$(container_pid "$CID")" ]
}

@test "state reports the runtime-spec fields" {
	set_args sleep 1000
	update_config '.annotations = {"org.example.key": "value"}'
	create_container
	run_berth state "$CID"
	[ "$status" -eq 0 ]
	local state="$output"
	[ "$(jq -r .id <<<"$state")" = "$CID" ]
	[ "$(jq -r .status <<<"$state")" = created ]
	[ "$(jq -r .bundle <<<"$state")" = "$BUNDLE" ]
	[ "$(jq -r .rootfs <<<"$state")" = "$BUNDLE/rootfs" ]
	[ "$(jq -r '.annotations["org.example.key"]' <<<"$state")" = value ]
	jq -e '.ociVersion | type == "string" and length > 0' <<<"$state"
	jq -e '.pid > 0' <<<"$state"
	jq -e 'has("owner")' <<<"$state"
	# RFC 3339 with fractional seconds, as runc writes it.
	jq -e '.created | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")' <<<"$state"
	[ -d "/proc/$(jq -r .pid <<<"$state")" ]
}

@test "state of an unknown container fails" {
	run_berth state "${CID}-nope"
	[ "$status" -ne 0 ]
	[[ "$output" == *"${CID}-nope"* || "$output" == *"does not exist"* ]]
}

@test "list shows a table, json and bare ids" {
	set_args sleep 1000
	create_container
	create_container "${CID}-b"
	berth start "${CID}-b"

	run_berth list
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^ID\ +PID\ +STATUS\ +BUNDLE\ +CREATED\ +OWNER\ *$ ]]
	[ "${#lines[@]}" -eq 3 ]
	local row
	row="$(printf '%s\n' "${lines[@]}" | awk -v id="$CID" '$1 == id')"
	[[ "$row" =~ ^$CID\ +[0-9]+\ +created\ +$BUNDLE\ +[0-9T:.Z-]+\ +root\ *$ ]]
	row="$(printf '%s\n' "${lines[@]}" | awk -v id="${CID}-b" '$1 == id')"
	[[ "$row" =~ \ running\  ]]

	run_berth list -f json
	[ "$status" -eq 0 ]
	[ "$(jq -r 'map(.id) | sort | join(" ")' <<<"$output")" = "$CID ${CID}-b" ]
	[ "$(jq -r --arg id "${CID}-b" '.[] | select(.id == $id) | .status' <<<"$output")" = running ]
	[ "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .bundle' <<<"$output")" = "$BUNDLE" ]

	run_berth list -q
	[ "$status" -eq 0 ]
	[ "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" = "$CID ${CID}-b " ]
}

@test "list of an empty root prints only the header" {
	run_berth list
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" =~ ^ID ]]
	run_berth list -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "delete of a running container without --force fails and changes nothing" {
	set_args sleep 1000
	create_container
	berth start "$CID"
	local pid
	pid="$(container_pid "$CID")"
	run_berth delete "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$CID"* ]]
	[ "$(container_status "$CID")" = running ]
	[ "$(container_pid "$CID")" = "$pid" ]
	kill -0 "$pid"
}

# runc deletes a created container without --force; berth refuses (runc fails this test).
@test "delete of a created container without --force fails and changes nothing" {
	set_args sleep 1000
	create_container
	local pid
	pid="$(container_pid "$CID")"
	run_berth delete "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"$CID"* ]]
	[ "$(container_status "$CID")" = created ]
	kill -0 "$pid"
	# And it can still be started.
	run_berth start "$CID"
	[ "$status" -eq 0 ]
	[ "$(container_status "$CID")" = running ]
}

@test "delete --force removes a running and a created container" {
	set_args sleep 1000
	create_container
	create_container "${CID}-b"
	berth start "$CID"
	local pid1 pid2
	pid1="$(container_pid "$CID")"
	pid2="$(container_pid "${CID}-b")"

	run_berth delete --force "$CID"
	[ "$status" -eq 0 ]
	run_berth delete --force "${CID}-b"
	[ "$status" -eq 0 ]
	[ -z "$(berth list -q)" ]
	local i
	for ((i = 0; i < 50; i++)); do
		kill -0 "$pid1" 2>/dev/null || kill -0 "$pid2" 2>/dev/null || break
		sleep 0.1
	done
	! kill -0 "$pid1" 2>/dev/null || false
	! kill -0 "$pid2" 2>/dev/null || false
}

@test "delete of an unknown container fails; --force of one succeeds" {
	run_berth delete "${CID}-nope"
	[ "$status" -ne 0 ]
	run_berth delete --force "${CID}-nope"
	[ "$status" -eq 0 ]
}

@test "create with an id already in use fails and leaves the first container alone" {
	set_args sleep 1000
	create_container
	local pid
	pid="$(container_pid "$CID")"
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	# runc: "container with given ID already exists" (no id; runc fails this).
	[[ "$output" == *"$CID"* ]]
	[ "$(container_status "$CID")" = created ]
	[ "$(container_pid "$CID")" = "$pid" ]
}

@test "kill sends SIGTERM by default" {
	set_term_trap_args
	create_container
	berth start "$CID"
	# Wait until the trap is installed.
	for ((i = 0; i < 50; i++)); do grep -q ready "$CTR_STDOUT" && break; sleep 0.1; done
	run_berth kill "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
}

@test "kill accepts SIGTERM, TERM and 15" {
	set_term_trap_args
	local sig
	for sig in SIGTERM TERM 15; do
		create_container "${CID}-$sig"
		berth start "${CID}-$sig"
	done
	sleep 0.5
	for sig in SIGTERM TERM 15; do
		run_berth kill "${CID}-$sig" "$sig"
		[ "$status" -eq 0 ]
	done
	for sig in SIGTERM TERM 15; do
		wait_for_status "${CID}-$sig" stopped
	done
}

@test "kill with an unknown signal fails and the container keeps running" {
	set_args sleep 1000
	create_container
	berth start "$CID"
	run_berth kill "$CID" SIGNOPE
	[ "$status" -ne 0 ]
	run_berth kill "$CID" 999
	[ "$status" -ne 0 ]
	[ "$(container_status "$CID")" = running ]
}

@test "kill --all signals every process of the container" {
	# Without a pid namespace of its own the container's processes are only
	# reachable through its cgroup, which is what --all uses.
	update_config '.linux.namespaces |= map(select(.type != "pid"))'
	set_args sh -c 'sleep 1000 & sleep 1000 & echo started; wait'
	create_container
	berth start "$CID"
	for ((i = 0; i < 50; i++)); do grep -q started "$CTR_STDOUT" && break; sleep 0.1; done
	run_berth kill --all "$CID" KILL
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
}

@test "a container whose init was killed behind the runtime's back is stopped" {
	set_args sleep 1000
	create_container
	berth start "$CID"
	local pid
	pid="$(container_pid "$CID")"
	kill -9 "$pid"
	wait_for_status "$CID" stopped
	run_berth list -f json
	[ "$(jq -r --arg id "$CID" '.[] | select(.id == $id) | .status' <<<"$output")" = stopped ]
	run_berth delete "$CID"
	[ "$status" -eq 0 ]
	[ ! -e "$ROOT/$CID" ]
}

@test "commands on different containers run in parallel" {
	set_args sh -c 'echo hello'
	local n=6 i pids=()
	for ((i = 0; i < n; i++)); do
		"$BERTH" --root "$ROOT" run --bundle "$BUNDLE" "${CID}-$i" \
			</dev/null >"$BATS_TEST_TMPDIR/par.$i" 2>&1 &
		pids+=($!)
	done
	for ((i = 0; i < n; i++)); do
		wait "${pids[$i]}"
		[ "$(cat "$BATS_TEST_TMPDIR/par.$i")" = hello ]
	done

	set_args sleep 1000
	for ((i = 0; i < n; i++)); do
		"$BERTH" --root "$ROOT" run -d --bundle "$BUNDLE" "${CID}-d$i" \
			</dev/null >/dev/null 2>&1 &
		pids[$i]=$!
	done
	for ((i = 0; i < n; i++)); do wait "${pids[$i]}"; done
	for ((i = 0; i < n; i++)); do
		track_container "${CID}-d$i"
		"$BERTH" --root "$ROOT" kill "${CID}-d$i" KILL &
		pids[$i]=$!
	done
	for ((i = 0; i < n; i++)); do wait "${pids[$i]}"; done
	for ((i = 0; i < n; i++)); do
		wait_for_status "${CID}-d$i" stopped
		"$BERTH" --root "$ROOT" delete "${CID}-d$i" &
		pids[$i]=$!
	done
	for ((i = 0; i < n; i++)); do wait "${pids[$i]}"; done
	[ -z "$(berth list -q)" ]
}

@test "--version and --help work" {
	run "$BERTH" --version
	[ "$status" -eq 0 ]
	[[ "$output" == *version* ]]
	run "$BERTH" --help
	[ "$status" -eq 0 ]
	run "$BERTH" create --help
	[ "$status" -eq 0 ]
	[[ "$output" == *bundle* ]]
}

@test "run: runc's --no-subreaper is accepted and the run behaves as without it" {
	run_in_container sh -c 'exit 7'
	[ "$status" -eq 7 ]
	set_args sh -c 'echo hi; exit 3'
	run_berth run --no-subreaper --bundle "$BUNDLE" "$CID"
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$output" = hi ]
	run_berth state "$CID"
	[ "$status" -ne 0 ]
}

@test "run --keep leaves the stopped container for state and delete" {
	set_args sh -c 'exit 4'
	run_berth run --keep --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 4 ]
	[ "$(container_status "$CID")" = stopped ]
	[ "$(berth list -q)" = "$CID" ]
	berth delete "$CID"
	run_berth state "$CID"
	[ "$status" -ne 0 ]
}

@test "create and run give the container a session keyring of its own; --no-new-keyring keeps the caller's" {
	[ -r /proc/keys ] || skip "kernel without key retention (no /proc/keys)"
	# runc joins a new session keyring named _ses.<id>; it shows in the
	# container's /proc/keys (the process possesses it).
	# The default config masks /proc/keys; unmasked here to look.
	update_config '.linux.maskedPaths -= ["/proc/keys"]'
	run_in_container cat /proc/keys
	[ "$status" -eq 0 ]
	[[ "$output" == *" _ses.$CID: "* ]]
	# With the user's search permission added, as runc's 3f1b0000.
	[ "$(grep " _ses.$CID: " <<<"$output" | awk '{print $5}')" = 3f1b0000 ]
	set_args cat /proc/keys
	run_berth run --no-new-keyring --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" != *"_ses.$CID"* ]]
	# The same from create + start.
	run_berth_detached create --no-new-keyring --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	berth start "$CID"
	wait_for_status "$CID" stopped
	grep -q . "$CTR_STDOUT"
	! grep -q "_ses.$CID" "$CTR_STDOUT" || false
	berth delete "$CID"
	create_container
	berth start "$CID"
	wait_for_status "$CID" stopped
	grep -q " _ses.$CID: " "$CTR_STDOUT"
}

@test "--log FILE --log-format json writes runc's JSON lines, errors also on stderr" {
	local log="$BATS_TEST_TMPDIR/berth.log"
	run "$BERTH" --root "$ROOT" --log "$log" --log-format json state nosuch
	[ "$status" -ne 0 ]
	[[ "$output" == *"nosuch"* ]]
	# logrus' JSONFormatter: level, msg, time (RFC 3339), one object a line.
	jq -e -s 'length == 1 and (.[0] | .level == "error" and (.msg | contains("nosuch"))
		and (.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)$")) and (keys == ["level", "msg", "time"]))' "$log"
	# Without --debug no debug lines; with it, one for the command.
	run "$BERTH" --root "$ROOT" --log "$log" --log-format json --debug state nosuch
	jq -e -s 'map(select(.level == "debug")) | length >= 1' "$log"
	jq -e -s 'map(select(.level == "debug" and (.msg | contains("state nosuch")))) | length == 1' "$log"
	# The file is appended to, never truncated.
	[ "$(jq -s 'map(select(.level == "error")) | length' "$log")" -eq 2 ]
}

@test "--log FILE in text format writes logrus text lines; --debug adds debug lines" {
	local log="$BATS_TEST_TMPDIR/berth.log"
	run "$BERTH" --root "$ROOT" --log "$log" delete nosuch
	[ "$status" -ne 0 ]
	cat "$log"
	[ "$(wc -l <"$log")" -eq 1 ]
	grep -Eq '^time="[0-9]{4}-[0-9]{2}-[0-9]{2}T[^"]+" level=error msg=".*nosuch.*"$' "$log"
	run "$BERTH" --root "$ROOT" --log "$log" --log-format text --debug list
	[ "$status" -eq 0 ]
	grep -Eq '^time="[^"]+" level=debug msg=".*list.*"$' "$log"
	# --debug without --log: the debug lines go to stderr.
	run "$BERTH" --root "$ROOT" --debug list
	[ "$status" -eq 0 ]
	[[ "$output" == *"debug"*"list"* ]]
}

@test "--log to a path that cannot be opened, and an unknown --log-format, are errors" {
	run "$BERTH" --root "$ROOT" --log "$BATS_TEST_TMPDIR/no/such/dir/log" list
	[ "$status" -ne 0 ]
	[[ "$output" == *"--log $BATS_TEST_TMPDIR/no/such/dir/log: No such file or directory"* ]]
	run "$BERTH" --root "$ROOT" --log-format xml list
	[ "$status" -ne 0 ]
	[[ "$output" == *'--log-format: expected text or json, got "xml"'* ]]
}
