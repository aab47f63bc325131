#!/usr/bin/env bats
# crid's pod sandboxes and containers through the CRI gRPC API (the Python
# client cri_client.py; cridctl's pod commands are covered in
# crid_containers.bats): shared namespaces and pod files, exit codes and
# reasons, OOM kills, stop timeouts, cleanup on removal, bad requests and
# failing creates that leave nothing behind.
#
# Runs with the runtime $CRID_TEST_RUNTIME (default $BERTH); run it again with
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

# Text a container wrote to its log (the CRI log format's text part).
ctr_log() {
	log_lines "$T/logs/$1/$2.log"
}

wait_exited() {
	wait_ctr_state "$1" CONTAINER_EXITED
}

@test "crid pods: two containers of a pod share ipc, net and uts; pod files from the config" {
	run_pod web '.dns_config = {servers: ["10.0.0.10"], searches: ["svc.cluster.local"], options: ["ndots:5"]}'
	[ "$(cri PodSandboxStatus "{\"podSandboxId\": \"$POD\"}" | jq -r .status.state)" = SANDBOX_READY ]

	run_ctr writer sh -c 'echo shared-by-writer >/dev/shm/token; for n in ipc net uts; do busybox readlink /proc/self/ns/$n; done; sleep 3600'
	writer=$CTR
	run_ctr reader sh -c 'sleep 1; cat /dev/shm/token; for n in ipc net uts; do busybox readlink /proc/self/ns/$n; done; busybox hostname; cat /etc/resolv.conf /etc/hosts'
	reader=$CTR
	wait_exited "$reader"

	run ctr_log web reader
	echo "$output"
	[[ "$output" == *shared-by-writer* ]]
	[[ "$output" == *"search svc.cluster.local"* ]]
	[[ "$output" == *"nameserver 10.0.0.10"* ]]
	[[ "$output" == *"options ndots:5"* ]]
	[[ "$output" == *"127.0.0.1	localhost"* ]]
	[ "$(echo "$output" | grep -x web)" = web ]
	# Same namespaces in both, none of them the host's.
	writer_ns=$(ctr_log web writer | grep ':\[')
	reader_ns=$(ctr_log web reader | grep ':\[')
	[ "$writer_ns" = "$reader_ns" ]
	[ "$(echo "$reader_ns" | sed -n 2p)" != "$(readlink /proc/self/ns/net)" ]
	[ "$(echo "$reader_ns" | sed -n 1p)" != "$(readlink /proc/self/ns/ipc)" ]
	# The pod's /dev/shm is the tmpfs crid mounted for it.
	[ "$(cat "$T/state/sandboxes/$POD/shm/token")" = shared-by-writer ]
	grep -q " $T/state/sandboxes/$POD/shm .*tmpfs" /proc/self/mountinfo
	[[ "$(ctr_status "$writer" | jq -r .status.state)" == CONTAINER_RUNNING ]]
}

@test "crid pods: exit codes become EXITED with reason Error or Completed" {
	run_pod codes
	run_ctr three sh -c 'echo bye; exit 3'
	three=$CTR
	run_ctr zero true
	zero=$CTR
	wait_exited "$three"
	wait_exited "$zero"
	run ctr_status "$three"
	echo "$output"
	[ "$(echo "$output" | jq -r .status.exitCode)" = 3 ]
	[ "$(echo "$output" | jq -r .status.reason)" = Error ]
	[ "$(echo "$output" | jq -r '.status.finishedAt | tonumber > 0')" = true ]
	[ "$(echo "$output" | jq -r '.status.startedAt | tonumber > 0')" = true ]
	[ "$(echo "$output" | jq -r .status.logPath)" = "$T/logs/codes/three.log" ]
	[ "$(echo "$output" | jq -r .status.labels.ctr)" = three ]
	[ "$(echo "$output" | jq -r .status.image.image)" = "$BUSYBOX" ]
	[ "$(ctr_log codes three)" = bye ]
	run ctr_status "$zero"
	[ "$(echo "$output" | jq -r .status.exitCode)" = 0 ]
	[ "$(echo "$output" | jq -r .status.reason)" = Completed ]
	# The state is recorded without anyone asking: listing shows it too.
	[ "$(cri ListContainers '{"filter": {"state": {"state": "CONTAINER_EXITED"}}}' | jq '.containers | length')" = 2 ]
}

@test "crid pods: a container over its memory limit is reported OOMKilled" {
	[ -d /sys/fs/cgroup/memory ] || skip "no v1 memory controller"
	run_pod oom
	CTR_JQ='.linux.resources.memory_limit_in_bytes = 16777216' \
		run_ctr hog busybox dd if=/dev/zero of=/dev/null bs=128M count=1
	wait_exited "$CTR"
	run ctr_status "$CTR"
	echo "$output"
	[ "$(echo "$output" | jq -r .status.reason)" = OOMKilled ]
	[ "$(echo "$output" | jq -r .status.exitCode)" = 137 ]
}

@test "crid pods: stop sends SIGTERM, then SIGKILL after the timeout" {
	run_pod stopper
	run_ctr stubborn sh -c 'trap "" TERM; while :; do sleep 1; done'
	stubborn=$CTR
	run_ctr polite sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done'
	polite=$CTR
	sleep 0.5

	start=$(date +%s)
	cri StopContainer "{\"containerId\": \"$polite\", \"timeout\": 20}"
	[ $(($(date +%s) - start)) -lt 10 ]
	[ "$(ctr_status "$polite" | jq -r .status.exitCode)" = 0 ]

	start=$(date +%s)
	cri StopContainer "{\"containerId\": \"$stubborn\", \"timeout\": 2}"
	elapsed=$(($(date +%s) - start))
	[ "$elapsed" -ge 2 ] && [ "$elapsed" -lt 15 ]
	run ctr_status "$stubborn"
	[ "$(echo "$output" | jq -r .status.state)" = CONTAINER_EXITED ]
	[ "$(echo "$output" | jq -r .status.exitCode)" = 137 ]
	# Stopping again is fine.
	cri StopContainer "{\"containerId\": \"$stubborn\", \"timeout\": 2}"
}

@test "crid pods: removing a pod leaves no mount, cgroup, state dir or monitor" {
	run_pod gone
	run_ctr sleeper sleep 3600
	sleeper=$CTR
	[ -d "$T/state/containers/$sleeper" ]
	grep -q " $T/state/containers/$sleeper/rootfs " /proc/self/mountinfo
	pgrep -f "^[^ ]*crid-monitor .*$sleeper" >/dev/null

	cri StopPodSandbox "{\"podSandboxId\": \"$POD\"}"
	[ "$(cri PodSandboxStatus "{\"podSandboxId\": \"$POD\"}" | jq -r .status.state)" = SANDBOX_NOTREADY ]
	[ "$(ctr_state "$sleeper")" = CONTAINER_EXITED ]
	# Stop is idempotent.
	cri StopPodSandbox "{\"podSandboxId\": \"$POD\"}"
	cri RemovePodSandbox "{\"podSandboxId\": \"$POD\"}"

	! grep -q " $T/" /proc/self/mountinfo || false
	[ -z "$(ls -A "$T/state/sandboxes")" ]
	[ -z "$(ls -A "$T/state/containers")" ]
	[ -z "$(ls -A "$T/root/containers" 2>/dev/null)" ]
	! pgrep -f "^[^ ]*crid-monitor .*$T/" >/dev/null || false
	for dir in /sys/fs/cgroup/*"$CRID_CGROUP_PARENT"; do
		[ -d "$dir" ] || continue
		[ -z "$(find "$dir" -mindepth 1 -type d)" ]
	done
	[ "$(cri ListPodSandbox | jq '.items | length')" = 0 ]
	[ "$(cri ListContainers | jq '.containers | length')" = 0 ]
	# Removing it again is OK (CRI: idempotent).
	cri RemovePodSandbox "{\"podSandboxId\": \"$POD\"}"
	cri RemoveContainer "{\"containerId\": \"$sleeper\"}"
}

@test "crid pods: bad requests get the right gRPC code and name what was wrong" {
	run cri RunPodSandbox '{"config": {"metadata": {"namespace": "ns", "uid": "u"}}}'
	[ "$status" -eq 1 ]
	[[ "$output" == "INVALID_ARGUMENT: "*"metadata.name"* ]]
	run cri RunPodSandbox '{"config": {"metadata": {"name": "n", "uid": "u"}}}'
	[[ "$output" == "INVALID_ARGUMENT: "*"metadata.namespace"* ]]
	run cri RunPodSandbox "{\"runtimeHandler\": \"nope\", \"config\": $(cat "$(pod_json h)")}"
	[[ "$output" == "INVALID_ARGUMENT: "*'runtime handler "nope"'* ]]

	run_pod dup
	run cri RunPodSandbox "{\"config\": $(cat "$POD_JSON")}"
	[[ "$output" == "ALREADY_EXISTS: "*"$POD"* ]]

	run cri PodSandboxStatus '{"podSandboxId": "0123456789"}'
	[[ "$output" == "NOT_FOUND: "*0123456789* ]]
	run cri StopPodSandbox '{"podSandboxId": "0123456789"}'
	[[ "$output" == "NOT_FOUND: "* ]]
	run cri ContainerStatus '{"containerId": "0123456789"}'
	[[ "$output" == "NOT_FOUND: "*0123456789* ]]
	run cri StartContainer '{"containerId": "0123456789"}'
	[[ "$output" == "NOT_FOUND: "* ]]

	ctr=$(ctr_json c1)
	run cri CreateContainer "$(jq -n --slurpfile c "$ctr" '{podSandboxId: "0123456789", config: $c[0]}')"
	[[ "$output" == "NOT_FOUND: "*0123456789* ]]
	run cri CreateContainer "$(jq -n --arg pod "$POD" --slurpfile c "$ctr" '{podSandboxId: $pod, config: ($c[0] | del(.metadata.name))}')"
	[[ "$output" == "INVALID_ARGUMENT: "*"metadata.name"* ]]

	run_ctr c1 sleep 3600
	run cri StartContainer "{\"containerId\": \"$CTR\"}"
	[[ "$output" == "FAILED_PRECONDITION: "*"$CTR"* ]]
	run cri CreateContainer "$(jq -n --arg pod "$POD" --slurpfile c "$ctr" '{podSandboxId: $pod, config: $c[0]}')"
	[[ "$output" == "ALREADY_EXISTS: "*"$CTR"* ]]

	cri StopPodSandbox "{\"podSandboxId\": \"$POD\"}"
	ctr2=$(ctr_json c2)
	run cri CreateContainer "$(jq -n --arg pod "$POD" --slurpfile c "$ctr2" '{podSandboxId: $pod, config: $c[0]}')"
	[[ "$output" == "FAILED_PRECONDITION: "*"$POD"* ]]
}

@test "crid pods: a failing create leaves nothing behind" {
	run_pod failing
	ctrs_before=$(ls -A "$T/state/containers" | wc -l)

	ctr=$(CTR_JQ='.image.image = "127.0.0.1:1/nothing:here"' ctr_json noimage)
	run cri CreateContainer "$(jq -n --arg pod "$POD" --slurpfile c "$ctr" '{podSandboxId: $pod, config: $c[0]}')"
	echo "$output"
	[[ "$output" == "NOT_FOUND: "*"nothing:here"* ]]

	ctr=$(CTR_JQ='.mounts = [{container_path: "/data", host_path: "/nonexistent/crid-test"}]' ctr_json badmount)
	run cri CreateContainer "$(jq -n --arg pod "$POD" --slurpfile c "$ctr" '{podSandboxId: $pod, config: $c[0]}')"
	echo "$output"
	[ "$status" -eq 1 ]

	[ "$(ls -A "$T/state/containers" | wc -l)" = "$ctrs_before" ]
	[ -z "$(ls -A "$T/root/containers" 2>/dev/null)" ]
	! grep -q " $T/state/containers/" /proc/self/mountinfo || false
	[ "$(cri ListContainers | jq '.containers | length')" = 0 ]
	[ "$(pgrep -fc "^[^ ]*crid-monitor .*$T/state/containers")" = 0 ]
	# The names are free again.
	run_ctr badmount true

	# A pod whose infra cannot start leaves nothing either.
	run cri RunPodSandbox "{\"config\": $(cat "$(pod_json broken '.linux.sysctls = {"kernel.no_such_sysctl": "1"}')")}"
	echo "$output"
	[ "$status" -eq 1 ]
	[ "$(ls -A "$T/state/sandboxes" | wc -l)" = 1 ]
	[ "$(cri ListPodSandbox | jq '.items | length')" = 1 ]
}

@test "crid pods: a missing monitor binary is crid's own error (INTERNAL), naming it; nothing is left" {
	kill_crid
	start_crid --monitor-path "$T/no-such-monitor"
	run cri RunPodSandbox "{\"config\": $(cat "$(pod_json nomonitor)")}"
	echo "$output"
	[[ "$output" == "INTERNAL: "*"$T/no-such-monitor"* ]]
	[ -z "$(ls -A "$T/state/sandboxes" 2>/dev/null)" ]
	[ "$(cri ListPodSandbox | jq '.items | length')" = 0 ]
}

@test "crid pods: list filters by id prefix, state and labels" {
	run_pod one
	one=$POD
	run_pod two '.labels.extra = "x"'
	two=$POD
	cri StopPodSandbox "{\"podSandboxId\": \"$two\"}"
	[ "$(cri ListPodSandbox | jq '.items | length')" = 2 ]
	[ "$(cri ListPodSandbox "{\"filter\": {\"id\": \"${one:0:12}\"}}" | jq -r '.items[].id')" = "$one" ]
	[ "$(cri ListPodSandbox '{"filter": {"state": {"state": "SANDBOX_READY"}}}' | jq -r '.items[].id')" = "$one" ]
	[ "$(cri ListPodSandbox '{"filter": {"labelSelector": {"extra": "x"}}}' | jq -r '.items[].id')" = "$two" ]
	[ "$(cri ListPodSandbox '{"filter": {"labelSelector": {"extra": "x", "pod": "one"}}}' | jq '.items | length')" = 0 ]

	POD=$one
	run_ctr a sleep 3600
	a=$CTR
	create_ctr b true
	b=$CTR
	[ "$(cri ListContainers "{\"filter\": {\"podSandboxId\": \"$one\"}}" | jq '.containers | length')" = 2 ]
	[ "$(cri ListContainers '{"filter": {"state": {"state": "CONTAINER_CREATED"}}}' | jq -r '.containers[].id')" = "$b" ]
	[ "$(cri ListContainers '{"filter": {"labelSelector": {"ctr": "a"}}}' | jq -r '.containers[].id')" = "$a" ]
	[ "$(cri ListContainers "{\"filter\": {\"id\": \"$a\"}}" | jq -r '.containers[].id')" = "$a" ]
	# Verbose status carries the pid and the OCI spec.
	info=$(cri ContainerStatus "{\"containerId\": \"$a\", \"verbose\": true}" | jq -r .info.info)
	[ "$(echo "$info" | jq '.pid > 0')" = true ]
	[ "$(echo "$info" | jq -r .runtimeSpec.ociVersion)" != null ]
	info=$(cri PodSandboxStatus "{\"podSandboxId\": \"$one\", \"verbose\": true}" | jq -r .info.info)
	[ "$(echo "$info" | jq '.pid > 0')" = true ]
}
