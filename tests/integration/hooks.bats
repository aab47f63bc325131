#!/usr/bin/env bats
# hooks: each kind runs at its moment, in its namespaces, with the state on
# stdin; failures fail the operation (or only warn) as runtime.md says.

load helpers

# $OUT (host) is bind-mounted at /out in the container. rec.sh KIND DIR
# records the state it read and the namespaces it ran in.
setup_hooks() {
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT"
	cat >"$OUT/rec.sh" <<'SH'
#!/bin/sh
kind=$1
dir=$2
cat >"$dir/$kind.state"
readlink /proc/self/ns/mnt >"$dir/$kind.mnt"
readlink /proc/self/ns/pid >"$dir/$kind.pid"
echo "$kind ${HOOKVAR:-unset}" >"$dir/$kind.env"
SH
	chmod 755 "$OUT/rec.sh"
	update_config --arg out "$OUT" '.mounts += [{"destination": "/out", "type": "bind", "source": $out, "options": ["rbind", "rw"]}]'
}

# add_hook KIND PATH ARGV0 ARG... : appends a hook running PATH with args ARGV0 ARG...
add_hook() {
	local kind="$1" path="$2"
	shift 2
	update_config --arg k "$kind" --arg p "$path" --argjson a "$(json_array "$@")" \
		'.hooks[$k] += [{"path": $p, "args": $a, "env": ["HOOKVAR=set"]}]'
}

@test "every hook kind runs at its moment with the state on stdin" {
	setup_hooks
	for k in prestart createRuntime createContainer poststart poststop; do
		add_hook "$k" "$OUT/rec.sh" "$k" "$k" "$OUT"
	done
	add_hook startContainer /out/rec.sh startContainer startContainer /out
	set_args sh -c 'cat /out/startContainer.state >/out/seen-by-process'
	create_container
	pid="$(container_pid "$CID")"

	# After create: the pre-start hooks ran, the later ones did not.
	for k in prestart createRuntime createContainer; do
		[ "$(jq -r .status "$OUT/$k.state")" = creating ]
		[ "$(jq -r .id "$OUT/$k.state")" = "$CID" ]
		[ "$(jq -r .pid "$OUT/$k.state")" = "$pid" ]
		[ "$(jq -r .bundle "$OUT/$k.state")" = "$BUNDLE" ]
		[ "$(cat "$OUT/$k.env")" = "$k set" ]
	done
	[ ! -e "$OUT/startContainer.state" ]
	[ ! -e "$OUT/poststart.state" ]
	# prestart/createRuntime: the runtime's namespaces; createContainer: the container's.
	[ "$(cat "$OUT/createRuntime.mnt")" = "$(readlink /proc/self/ns/mnt)" ]
	[ "$(cat "$OUT/prestart.mnt")" = "$(readlink /proc/self/ns/mnt)" ]
	[ "$(cat "$OUT/createContainer.mnt")" = "$(readlink "/proc/$pid/ns/mnt")" ]
	[ "$(cat "$OUT/createContainer.pid")" = "$(readlink "/proc/$pid/ns/pid")" ]

	berth start "$CID"
	wait_for_status "$CID" stopped
	# startContainer ran inside the container before the process.
	[ "$(jq -r .id "$OUT/startContainer.state")" = "$CID" ]
	[ "$(cat "$OUT/startContainer.env")" = "startContainer set" ]
	[ "$(jq -r .status "$OUT/startContainer.state")" = created ]
	[ -s "$OUT/seen-by-process" ]
	[ "$(jq -r .status "$OUT/poststart.state")" = running ]
	[ "$(cat "$OUT/poststart.mnt")" = "$(readlink /proc/self/ns/mnt)" ]
	[ ! -e "$OUT/poststop.state" ]

	berth delete "$CID"
	[ "$(jq -r .status "$OUT/poststop.state")" = stopped ]
	[ "$(jq -r .id "$OUT/poststop.state")" = "$CID" ]
}

@test "a failing createRuntime hook fails create, names the hook, leaves nothing" {
	update_config '.hooks.createRuntime = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.createRuntime[0]: /bin/sh failed: exit status 3"* ]]
	run_berth list -q
	[ -z "$output" ]
	[ -z "$(cgroups_named "$CID")" ]
}

@test "a failing prestart hook fails create" {
	update_config '.hooks.prestart = [{"path": "/bin/false"}]'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.prestart[0]: /bin/false failed: exit status 1"* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
}

@test "a failing createContainer hook fails create from inside the container" {
	update_config '.hooks.createContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "kill -9 $$"]}]'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.createContainer[0]: /bin/sh failed: killed by signal 9"* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
}

@test "a hook past its timeout is killed and fails create" {
	update_config '.hooks.createRuntime = [{"path": "/bin/sleep", "args": ["sleep", "30"], "timeout": 1}]'
	SECONDS=0
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"hooks.createRuntime[0]: /bin/sleep: timed out after 1 seconds"* ]]
	[ "$SECONDS" -lt 10 ]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
}

@test "a failing startContainer hook stops the process from running" {
	setup_hooks
	update_config '.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c", "exit 4"]}]'
	set_args sh -c 'touch /out/process-ran'
	create_container
	berth start "$CID"
	wait_for_status "$CID" stopped
	[ ! -e "$OUT/process-ran" ]
	grep -q 'hooks.startContainer\[0\]: /bin/sh failed: exit status 4' "$CTR_STDERR"
}

@test "failing poststart and poststop hooks only warn" {
	update_config '.hooks.poststart = [{"path": "/bin/false"}] | .hooks.poststop = [{"path": "/bin/false"}]'
	set_args sleep 100
	create_container
	run_berth start "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"hooks.poststart[0]: /bin/false failed: exit status 1"* ]]
	[ "$(container_status "$CID")" = running ]
	run_berth delete --force "$CID"
	[ "$status" -eq 0 ]
	[[ "$output" == *"hooks.poststop[0]: /bin/false failed: exit status 1"* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
}
