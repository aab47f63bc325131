#!/usr/bin/env bats
# crid's pods and containers through every cridctl command of issue 7 that the
# other files do not drive: pods and ps with their filters, -o json/yaml/table,
# inspectp/inspect output, logs (partial lines, --tail, --timestamps, -f),
# exec, stats, statsp, update; and what crid must do behind them: a stop
# that ends every process of a container sharing the pod's pid namespace, a
# log rotated twice through ReopenContainerLog without losing a line.
#
# Runs with $CRID_TEST_RUNTIME (default $BERTH); again with
# CRID_TEST_RUNTIME=/usr/sbin/runc.
# run-all: again with runc

bats_require_minimum_version 1.5.0
load crid_helpers

setup_file() { crid_setup_file; }
teardown_file() { crid_teardown_file; }

setup() {
	crid_setup
	start_crid
	pull_busybox
}

teardown() { crid_teardown; }

# A container's processes as the host sees them, by a word of their command line.
host_procs() {
	pgrep -f "$1" || true
}

@test "stop ends every process of a container that shares the pod's pid namespace" {
	# PodSandboxConfig's pid mode 0 is POD: the containers join the infra's pid namespace,
	# so the container's init is not PID 1 there and its death does not end its children.
	run_pod p1 '.linux.security_context.namespace_options.pid = 0'
	run_ctr c1 sh -c 'sleep 4711 & sleep 4712 & trap "" TERM; wait'
	for i in $(seq 50); do [ -n "$(host_procs '^sleep 471[12]$')" ] && break; sleep 0.1; done
	[ "$(host_procs '^sleep 471[12]$' | wc -l)" -eq 2 ]
	# Another container of the pod must survive the stop.
	local c1=$CTR
	run_ctr c2 sleep 4713

	run cridctl stop -t 1 "$c1"
	[ "$status" -eq 0 ]
	[ "$(ctr_state "$c1")" = CONTAINER_EXITED ]
	[ -z "$(host_procs '^sleep 471[12]$')" ]
	[ -n "$(host_procs '^sleep 4713$')" ]
	# Its cgroup is empty, so removal can delete it.
	local cg="/sys/fs/cgroup/memory$CRID_CGROUP_PARENT/crid-$c1"
	if [ -d "$cg" ]; then [ -z "$(cat "$cg/cgroup.procs")" ]; fi
	cridctl rm "$c1"
	[ ! -d "$cg" ]
}

@test "a container that exits on its own in the pod's pid namespace takes its children with it" {
	run_pod p1 '.linux.security_context.namespace_options.pid = 0'
	run_ctr c1 sh -c 'sleep 4731 & sleep 0.5; exit 3'
	for i in $(seq 50); do [ -n "$(host_procs '^sleep 4731$')" ] && break; sleep 0.1; done
	wait_ctr_state "$CTR" CONTAINER_EXITED
	[ "$(cri ContainerStatus "{\"containerId\": \"$CTR\"}" | jq -r .status.exitCode)" = 3 ]
	# Gone without a StopContainer or RemoveContainer.
	for i in $(seq 50); do [ -z "$(host_procs '^sleep 4731$')" ] && break; sleep 0.1; done
	[ -z "$(host_procs '^sleep 4731$')" ]
}

@test "stop with a zero timeout also ends the children of a container in the pod's pid namespace" {
	run_pod p1 '.linux.security_context.namespace_options.pid = 0'
	run_ctr c1 sh -c 'sleep 4721 & wait'
	for i in $(seq 50); do [ -n "$(host_procs '^sleep 4721$')" ] && break; sleep 0.1; done
	[ -n "$(host_procs '^sleep 4721$')" ]
	cridctl stop -t 0 "$CTR"
	[ -z "$(host_procs '^sleep 4721$')" ]
}

@test "logs: partial lines are joined, --tail and --timestamps, stdout and stderr" {
	run_pod p1
	run_ctr c1 sh -c 'printf part1; sleep 0.3; printf "part2\n"; for i in 1 2 3 4 5; do echo out$i; done; echo err1 >&2; sleep 3600'
	local log="$T/logs/p1/c1.log"
	for i in $(seq 50); do grep -q err1 "$log" 2>/dev/null && break; sleep 0.1; done
	# The file holds a P record and its F continuation.
	grep -Eq '^[^ ]+ stdout P part1$' "$log"
	grep -Eq '^[^ ]+ stdout F part2$' "$log"

	run --separate-stderr cridctl logs "$CTR"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = part1part2 ]
	[ "${lines[5]}" = out5 ]
	[ "${#lines[@]}" -eq 6 ]
	[ "$stderr" = err1 ]

	run cridctl logs --tail 2 "$CTR"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = out5 ]
	[ "${lines[1]}" = err1 ]

	run cridctl logs -t --tail 1 "$CTR"
	[ "$status" -eq 0 ]
	[[ "$output" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)\ err1$ ]]
}

@test "logs -f: follows new lines and ends when the container exits" {
	run_pod p1
	run_ctr c1 sh -c 'echo first; sleep 1; echo second; sleep 1; echo third'
	timeout 20 "$CRIDCTL" -r "$ENDPOINT" logs -f "$CTR" >"$T/follow.out" 2>&1
	[ "$(cat "$T/follow.out")" = "$(printf 'first\nsecond\nthird')" ]
}

@test "pods and ps: filters and -o json/yaml/table" {
	run_pod web '.labels.tier = "front"'
	local web=$POD web_json=$POD_JSON
	run_pod db '.labels.tier = "back" | .metadata.namespace = "other-ns"'
	local db=$POD

	run cridctl pods -q --label tier=front
	[ "$output" = "$web" ]
	run cridctl pods -q --namespace other-ns
	[ "$output" = "$db" ]
	run cridctl pods -q --id "${db:0:10}"
	[ "$output" = "$db" ]
	run cridctl pods -q --name '^w'
	[ "$output" = "$web" ]
	run cridctl pods -q -l
	[ "$output" = "$db" ]
	[ "$(cridctl pods -q | wc -l)" -eq 2 ]

	run cridctl pods -o json
	[ "$status" -eq 0 ]
	[ "$(jq '.items | length' <<<"$output")" -eq 2 ]
	run cridctl pods -o yaml --label tier=back
	[ "$status" -eq 0 ]
	grep -q "name: db" <<<"$output"
	run cridctl pods
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^POD\ ID\ +CREATED\ +STATE\ +NAME\ +NAMESPACE ]]
	[ "${#lines[@]}" -eq 3 ]

	POD=$web POD_JSON=$web_json
	run_ctr app
	local app=$CTR
	CTR_JQ='.labels.role = "side"' create_ctr side
	local side=$CTR

	run cridctl ps -q
	[ "$output" = "$app" ]
	run cridctl ps -a -q -s created
	[ "$output" = "$side" ]
	run cridctl ps -a -q --label role=side
	[ "$output" = "$side" ]
	run cridctl ps -a -q --name '^app$'
	[ "$output" = "$app" ]
	run cridctl ps -a -q -p "$db"
	[ -z "$output" ]
	[ "$(cridctl ps -a -q -p "$web" | wc -l)" -eq 2 ]
	run cridctl ps -a -o json
	[ "$(jq '.containers | length' <<<"$output")" -eq 2 ]
	run cridctl ps -o yaml
	grep -q "name: app" <<<"$output"
	run cridctl ps -a
	[[ "${lines[0]}" =~ ^CONTAINER\ +IMAGE\ +CREATED\ +STATE\ +NAME ]]
	[ "${#lines[@]}" -eq 3 ]

	run cridctl inspect -o yaml "$app"
	[ "$status" -eq 0 ]
	grep -q "state: CONTAINER_RUNNING" <<<"$output"
	run cridctl inspect -o table "$app"
	[ "$status" -eq 0 ]
	grep -qx "Name: app" <<<"$output"
	grep -qx "State: CONTAINER_RUNNING" <<<"$output"
	run cridctl inspectp -o yaml "$web"
	grep -q "state: SANDBOX_READY" <<<"$output"
	run cridctl inspectp -o table "$web"
	grep -qx "Name: web" <<<"$output"
	grep -qx "Status: SANDBOX_READY" <<<"$output"

	cridctl stopp "$db"
	run cridctl pods -q -s notready
	[ "$output" = "$db" ]
	run cridctl pods -q -s ready
	[ "$output" = "$web" ]
}

@test "exec, stats, statsp and update through cridctl" {
	run_pod p1
	run_ctr c1
	run cridctl exec "$CTR" sh -c 'echo hi; exit 7'
	[ "$status" -eq 7 ]
	[ "$output" = hi ]

	run cridctl stats -o json "$CTR"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.stats[0].attributes.id' <<<"$output")" = "$CTR" ]
	[ "$(jq -r '.stats[0].memory.workingSetBytes.value // .stats[0].memory.working_set_bytes.value' <<<"$output")" -gt 0 ]
	run cridctl stats
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == CONTAINER* ]]
	[[ "$output" == *c1* || "$output" == *"${CTR:0:13}"* ]]
	run cridctl statsp -o json
	[ "$status" -eq 0 ]
	[ "$(jq -r '.stats[0].attributes.id' <<<"$output")" = "$POD" ]
	run cridctl statsp "$POD"
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == POD* ]]

	run cridctl update --memory 64m "$CTR"
	[ "$status" -eq 0 ]
	[ "$(cat "/sys/fs/cgroup/memory$CRID_CGROUP_PARENT/crid-$CTR/memory.limit_in_bytes")" = 67108864 ]
}

@test "ReopenContainerLog: a log rotated twice loses no line and duplicates none" {
	run_pod p1
	run_ctr c1 sh -c 'i=0; while true; do echo line$i; i=$((i+1)); sleep 0.05; done'
	local log="$T/logs/p1/c1.log" i
	for i in $(seq 50); do [ -s "$log" ] && break; sleep 0.1; done
	local rot
	for rot in 1 2; do
		sleep 0.5
		mv "$log" "$log.$rot"
		/usr/bin/python3 "$BATS_TEST_DIRNAME/cri_client.py" "$ENDPOINT" ReopenContainerLog "{\"containerId\": \"$CTR\"}" >/dev/null
		for i in $(seq 50); do [ -s "$log" ] && break; sleep 0.1; done
		[ -s "$log" ]
	done
	sleep 0.5
	cridctl stop -t 0 "$CTR"
	# The numbers run on from the first file through the second to the current one.
	cat "$log.1" "$log.2" "$log" | log_lines - | sed 's/^line//' >"$T/nums"
	[ "$(head -n1 "$T/nums")" -eq 0 ]
	[ "$(sort -n "$T/nums" | uniq | wc -l)" -eq "$(wc -l <"$T/nums")" ]
	[ "$(tail -n1 "$T/nums")" -eq $(($(wc -l <"$T/nums") - 1)) ]
	# cridctl logs reads the current file.
	run cridctl logs --tail 1 "$CTR"
	[ "$output" = "line$(tail -n1 "$T/nums")" ]
}

@test "stop sends the image's stop signal" {
	local work
	work=$(mktemp -d /tmp/berth-stopsig.XXXXXX)
	build_busybox_layout "$work/oci" stopsig &&
		umoci config --image "$work/oci:stopsig" --config.stopsignal SIGUSR1 &&
		skopeo copy -q --dest-tls-verify=false "oci:$work/oci:stopsig" "docker://$REGISTRY/busybox:stopsig"
	local rc=$?
	rm -rf "$work"
	[ "$rc" -eq 0 ]
	cri ImageService/PullImage "{\"image\": {\"image\": \"$REGISTRY/busybox:stopsig\"}}" >/dev/null

	run_pod p1
	CTR_JQ=".image.image = \"$REGISTRY/busybox:stopsig\"" \
		run_ctr c1 sh -c 'trap "exit 42" USR1; trap "" TERM; while :; do sleep 0.1; done'
	sleep 0.5
	local start=$SECONDS
	cridctl stop -t 20 "$CTR"
	[ $((SECONDS - start)) -lt 10 ]
	[ "$(ctr_status "$CTR" | jq -r .status.exitCode)" = 42 ]
}

@test "exec, stats, update and reopen-log work on a container started before crid was killed" {
	run_pod p1
	run_ctr c1 sh -c 'i=0; while true; do echo line$i; i=$((i+1)); sleep 0.1; done'
	local log="$T/logs/p1/c1.log"
	kill_crid
	start_crid

	run cridctl exec "$CTR" echo still-here
	[ "$status" -eq 0 ]
	[ "$output" = still-here ]
	run cridctl stats -o json "$CTR"
	[ "$status" -eq 0 ]
	[ "$(jq -r '.stats[0].attributes.id' <<<"$output")" = "$CTR" ]
	cridctl update --memory 64m "$CTR"
	[ "$(cat "/sys/fs/cgroup/memory$CRID_CGROUP_PARENT/crid-$CTR/memory.limit_in_bytes")" = 67108864 ]

	mv "$log" "$log.1"
	cri ReopenContainerLog "{\"containerId\": \"$CTR\"}" >/dev/null
	for i in $(seq 50); do [ -s "$log" ] && break; sleep 0.1; done
	[ -s "$log" ]
	run cridctl logs --tail 1 "$CTR"
	[[ "$output" == line* ]]
}
