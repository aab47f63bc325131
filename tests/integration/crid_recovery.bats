#!/usr/bin/env bats
# crid restart recovery: crid killed with SIGKILL while pods run, then started
# again on the same --root and --state. Running containers keep running and
# logging, exits while crid was down are reported with their real code, and
# creates interrupted before their reply (CRID_TEST_CRASH_AT) are cleaned up.
#
# Runs with $CRID_TEST_RUNTIME (default $BERTH); again with
# CRID_TEST_RUNTIME=/usr/sbin/runc for the cross-check (tests/README).
# run-all: again with runc

load crid_helpers

setup_file() { crid_setup_file; }
teardown_file() { crid_teardown_file; }

setup() {
	crid_setup
	start_crid
	pull_busybox
}

teardown() { crid_teardown; }

log_count() {
	grep -c tick "$T/logs/$1/$2.log" || true
}

@test "crid recovery: running containers survive kill -9 of crid and keep logging" {
	run_pod survivor
	run_ctr ticker sh -c 'while :; do echo tick; sleep 0.2; done'
	ticker=$CTR
	sleep 1
	monitor=$(pgrep -f "^[^ ]*crid-monitor .*$ticker")
	[ -n "$monitor" ]

	kill_crid
	before=$(log_count survivor ticker)
	sleep 1
	# Logging goes on without crid.
	[ "$(log_count survivor ticker)" -gt "$before" ]
	kill -0 "$monitor"

	start_crid
	[ "$(ctr_state "$ticker")" = CONTAINER_RUNNING ]
	[ "$(cri PodSandboxStatus "{\"podSandboxId\": \"$POD\"}" | jq -r .status.state)" = SANDBOX_READY ]
	[ "$(cri ListContainers '{"filter": {"state": {"state": "CONTAINER_RUNNING"}}}' | jq -r '.containers[].id')" = "$ticker" ]
	[ "$(pgrep -f "^[^ ]*crid-monitor .*$ticker")" = "$monitor" ]
	after=$(log_count survivor ticker)
	sleep 1
	[ "$(log_count survivor ticker)" -gt "$after" ]

	# The restarted crid still manages it: stop records the exit as it happens.
	cri StopContainer "{\"containerId\": \"$ticker\", \"timeout\": 5}"
	[ "$(ctr_state "$ticker")" = CONTAINER_EXITED ]
}

@test "crid recovery: a container that exits while crid is down reports its exit code" {
	run_pod downtime
	run_ctr late sh -c 'sleep 1; echo leaving; exit 7'
	late=$CTR
	kill_crid
	for _ in $(seq 50); do
		[ -f "$T/state/containers/$late/exit.json" ] && break
		sleep 0.1
	done
	[ -f "$T/state/containers/$late/exit.json" ]

	start_crid
	run ctr_status "$late"
	echo "$output"
	[ "$(echo "$output" | jq -r .status.state)" = CONTAINER_EXITED ]
	[ "$(echo "$output" | jq -r .status.exitCode)" = 7 ]
	[ "$(echo "$output" | jq -r .status.reason)" = Error ]
	[ "$(log_lines "$T/logs/downtime/late.log")" = leaving ]
	# The store says so from startup on, not only when asked.
	[ "$(cri ListContainers '{"filter": {"state": {"state": "CONTAINER_EXITED"}}}' | jq -r '.containers[].id')" = "$late" ]
}

@test "crid recovery: a container create interrupted by a crash is cleaned up at restart" {
	run_pod interrupted
	kill_crid
	CRID_TEST_CRASH_AT=create-container start_crid
	ctr=$(ctr_json victim sleep 3600)
	run cri CreateContainer "$(jq -n --arg pod "$POD" --slurpfile c "$ctr" --slurpfile p "$POD_JSON" \
		'{podSandboxId: $pod, config: $c[0], sandboxConfig: $p[0]}')"
	echo "$output"
	[ "$status" -eq 1 ]
	crid_crashed
	# What the create made is there while crid is down...
	[ "$(ls -A "$T/state/containers" | wc -l)" = 1 ]
	victim=$(ls -A "$T/state/containers")
	grep -q " $T/state/containers/$victim/rootfs " /proc/self/mountinfo

	start_crid
	# ...and gone after the restart: runtime state, monitor, mount, dirs, record.
	[ "$(cri ListContainers | jq '.containers | length')" = 0 ]
	[ -z "$(ls -A "$T/state/containers")" ]
	[ -z "$(ls -A "$T/root/containers" 2>/dev/null)" ]
	! grep -q " $T/state/containers/" /proc/self/mountinfo || false
	for _ in $(seq 50); do
		pgrep -f "^[^ ]*crid-monitor .*$victim" >/dev/null || break
		sleep 0.1
	done
	! pgrep -f "^[^ ]*crid-monitor .*$victim" >/dev/null || false
	run cri ContainerStatus "{\"containerId\": \"$victim\"}"
	[[ "$output" == "NOT_FOUND: "* ]]
	# The name is free again, and the pod still works.
	run_ctr victim sh -c 'echo second try'
	wait_ctr_state "$CTR" CONTAINER_EXITED
}

@test "crid recovery: a pod sandbox run interrupted by a crash is cleaned up at restart" {
	kill_crid
	CRID_TEST_CRASH_AT=run-sandbox start_crid
	pod=$(pod_json halfway)
	run cri RunPodSandbox "{\"config\": $(cat "$pod")}"
	[ "$status" -eq 1 ]
	crid_crashed
	[ "$(ls -A "$T/state/sandboxes" | wc -l)" = 1 ]

	start_crid
	[ "$(cri ListPodSandbox | jq '.items | length')" = 0 ]
	[ -z "$(ls -A "$T/state/sandboxes")" ]
	! grep -q " $T/state/sandboxes/" /proc/self/mountinfo || false
	run_pod halfway
	[ "$(cri PodSandboxStatus "{\"podSandboxId\": \"$POD\"}" | jq -r .status.state)" = SANDBOX_READY ]
}

# A runtime whose create takes a while: crid is killed while its monitor is
# still creating, and the restarted crid must let that create end before it
# deletes, or the create would finish afterwards and leave a live container.
slow_create_runtime() {
	cat >"$T/slow-runtime" <<-EOF
		#!/bin/sh
		for a in "\$@"; do [ "\$a" = create ] && sleep 2 && break; done
		exec "$CRID_TEST_RUNTIME" "\$@"
	EOF
	chmod +x "$T/slow-runtime"
}

@test "crid recovery: a pod run killed while its monitor is still creating leaves nothing at restart" {
	kill_crid
	slow_create_runtime
	CRID_TEST_CRASH_AT=monitor-creating start_crid --runtime "$T/slow-runtime"
	pod=$(pod_json racing)
	run cri RunPodSandbox "{\"config\": $(cat "$pod")}"
	[ "$status" -eq 1 ]
	crid_crashed
	# The monitor is still in its runtime's create when crid comes back.
	pgrep -f "^[^ ]*crid-monitor .*$T/" >/dev/null
	start_crid --runtime "$T/slow-runtime"
	[ "$(cri ListPodSandbox | jq '.items | length')" = 0 ]
	[ -z "$(ls -A "$T/state/sandboxes")" ]
	! pgrep -f "^[^ ]*crid-monitor .*$T/" || false
	# No infra process was left in the pod's cgroups.
	[ -z "$(cat $(find /sys/fs/cgroup/*"$CRID_CGROUP_PARENT" -name cgroup.procs 2>/dev/null) 2>/dev/null)" ]
	# Nor any of its cgroups: the runtime's delete removed them.
	[ -z "$(find /sys/fs/cgroup/*"$CRID_CGROUP_PARENT" -mindepth 1 -type d 2>/dev/null)" ]
}

@test "crid recovery: a container create killed while its monitor is still creating leaves nothing at restart" {
	run_pod racing
	kill_crid
	slow_create_runtime
	CRID_TEST_CRASH_AT=monitor-creating start_crid --runtime "$T/slow-runtime"
	ctr=$(ctr_json racer sleep 3600)
	run cri CreateContainer "$(jq -n --arg pod "$POD" --slurpfile c "$ctr" --slurpfile p "$POD_JSON" \
		'{podSandboxId: $pod, config: $c[0], sandboxConfig: $p[0]}')"
	[ "$status" -eq 1 ]
	crid_crashed
	racer=$(ls -A "$T/state/containers")
	pgrep -f "^[^ ]*crid-monitor .*$racer" >/dev/null
	start_crid --runtime "$T/slow-runtime"
	[ "$(cri ListContainers | jq '.containers | length')" = 0 ]
	[ -z "$(ls -A "$T/state/containers")" ]
	! pgrep -f "^[^ ]*crid-monitor .*$racer" || false
	# Only the pod's infra process is left in the pod's cgroups.
	[ "$(cat $(find /sys/fs/cgroup/pids/"$CRID_CGROUP_PARENT" -name cgroup.procs) | sort -u | wc -l)" = 1 ]
	run_ctr racer sh -c 'echo second try'
	wait_ctr_state "$CTR" CONTAINER_EXITED
}

@test "crid recovery: pods and containers are removable after a restart" {
	run_pod later
	run_ctr sleeper sleep 3600
	create_ctr never true
	kill_crid
	start_crid
	[ "$(ctr_state "$CTR")" = CONTAINER_CREATED ]
	cri StartContainer "{\"containerId\": \"$CTR\"}"
	wait_ctr_state "$CTR" CONTAINER_EXITED
	cri StopPodSandbox "{\"podSandboxId\": \"$POD\"}"
	cri RemovePodSandbox "{\"podSandboxId\": \"$POD\"}"
	! grep -q " $T/" /proc/self/mountinfo || false
	! pgrep -f "^[^ ]*crid-monitor .*$T/" >/dev/null || false
}
