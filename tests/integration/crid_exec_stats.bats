#!/usr/bin/env bats
# crid's ExecSync, container and pod stats, UpdateContainerResources and
# ReopenContainerLog, through cridctl and through a second CRI client
# (cri_call.py, Debian's python3-grpcio). Run with berth as crid's runtime and
# again with CRID_TEST_RUNTIME=/usr/sbin/runc.
# run-all: again with runc

bats_require_minimum_version 1.5.0
load crid_helpers

PY=/usr/bin/python3
CRI_CALL="$BATS_TEST_DIRNAME/cri_call.py"

setup_file() {
	crid_setup_file
}

teardown_file() {
	crid_teardown_file
}

setup() {
	crid_setup
	start_crid
	pull_busybox
	run_pod p1
}

teardown() {
	crid_teardown
}

# The second client (snake_case JSON); crid_helpers' cri (cri_client.py) sets up pods and containers.
call() {
	"$PY" "$CRI_CALL" "$ENDPOINT" "$@"
}

runtime_root() {
	echo "$T/state/runtime/default"
}

# A uint64 field of a stats message printed by cri_call.py ("value" is a string in JSON).
field() {
	jq -r "$1 // \"0\"" | tr -d '"'
}

@test "exec: stdout, stderr and the exit code come back apart" {
	run_ctr c1
	run --separate-stderr cridctl exec "$CTR" sh -c 'echo to-out; echo to-err >&2; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = "to-out" ]
	[ "$stderr" = "to-err" ]

	run cridctl exec "$CTR" true
	[ "$status" -eq 0 ]

	# The same through the API: exit code in the response, not an error.
	run call ExecSync "{\"container_id\": \"$CTR\", \"cmd\": [\"sh\", \"-c\", \"printf abc; exit 42\"]}"
	[ "$status" -eq 0 ]
	[ "$(jq -r .exit_code <<<"$output")" = 42 ]
	[ "$(jq -r .stdout <<<"$output" | base64 -d)" = abc ]
}

@test "exec: the command runs in the container, as its user, with its environment" {
	CTR_JQ='.envs = [{key: "GREETING", value: "hello"}]' run_ctr c1
	run cridctl exec "$CTR" sh -c 'echo $GREETING; hostname; id -u'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = hello ]
	[ "${lines[1]}" = p1 ]
	[ "${lines[2]}" = 0 ]
}

@test "exec: a timeout kills the command and answers DEADLINE_EXCEEDED" {
	run_ctr c1
	local start=$SECONDS
	run call ExecSync "{\"container_id\": \"$CTR\", \"cmd\": [\"sleep\", \"4242\"], \"timeout\": 1}"
	[ "$status" -eq 1 ]
	[[ "$output" == DEADLINE_EXCEEDED:*"timed out"* ]]
	[ $((SECONDS - start)) -lt 10 ]

	run cridctl exec --timeout 1 "$CTR" sleep 4243
	[ "$status" -ne 0 ]
	[[ "$output" == *"timed out"* ]]

	# Nothing left running: not in the container (busybox here has no ps), not on the host.
	run cridctl exec "$CTR" sh -c 'for f in /proc/[0-9]*/cmdline; do tr "\0" " " <"$f"; echo; done'
	[ "$status" -eq 0 ]
	[[ "$output" == *"sleep 3600"* ]]
	[[ "$output" != *"sleep 424"* ]]
	run "$CRID_TEST_RUNTIME" --root "$(runtime_root)" ps "$CTR"
	[[ "$output" != *"sleep 424"* ]]
	! pgrep -f "sleep 424[23]" || false
}

@test "exec: errors for a missing command, a stopped container and an unknown id" {
	run_ctr c1
	run cridctl exec "$CTR" /no/such/program
	[ "$status" -ne 0 ]
	[[ "$output" == *"/no/such/program"* ]]

	run call ExecSync '{"container_id": "0000000000000000000000000000000000000000000000000000000000000000", "cmd": ["true"]}'
	[ "$status" -eq 1 ]
	[[ "$output" == NOT_FOUND:* ]]

	run call ExecSync "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 1 ]
	[[ "$output" == INVALID_ARGUMENT:* ]]

	cridctl stop -t 0 "$CTR" >/dev/null
	run call ExecSync "{\"container_id\": \"$CTR\", \"cmd\": [\"true\"]}"
	[ "$status" -eq 1 ]
	[[ "$output" == FAILED_PRECONDITION:*"$CTR"* ]]
}

@test "exec: output is capped so the answer fits the kubelet's 16 MiB message limit" {
	run_ctr c1
	run call ExecSync "{\"container_id\": \"$CTR\", \"cmd\": [\"sh\", \"-c\", \"head -c 20000000 /dev/zero; echo err >&2\"]}"
	[ "$status" -eq 0 ]
	local out
	out=$(jq -r .stdout <<<"$output" | base64 -d | wc -c)
	[ "$out" -ge $((15 << 20)) ]
	[ "$out" -lt $((16 << 20)) ]
	# stdout took the whole budget: stderr's line did not fit.
	[ "$(jq -r '.stderr // ""' <<<"$output")" = "" ]

	# Small outputs come back whole, both streams.
	run call ExecSync "{\"container_id\": \"$CTR\", \"cmd\": [\"sh\", \"-c\", \"head -c 100000 /dev/zero; echo err >&2\"]}"
	[ "$(jq -r .stdout <<<"$output" | base64 -d | wc -c)" -eq 100000 ]
	[ "$(jq -r .stderr <<<"$output" | base64 -d)" = err ]
}

@test "stats: cpu and memory move as the container works" {
	run_ctr c1
	run call ContainerStats "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 0 ]
	local before="$output"
	[ "$(jq -r .stats.attributes.id <<<"$before")" = "$CTR" ]
	[ "$(jq -r .stats.attributes.metadata.name <<<"$before")" = c1 ]
	local cpu0 mem0
	cpu0=$(field .stats.cpu.usage_core_nano_seconds.value <<<"$before")
	mem0=$(field .stats.memory.working_set_bytes.value <<<"$before")
	[ "$cpu0" -gt 0 ]
	[ "$mem0" -gt 0 ]

	# 24 MiB in the pod's /dev/shm (charged to the writer's cgroup) and a busy loop.
	cridctl exec "$CTR" sh -c 'head -c 25165824 /dev/zero > /dev/shm/fill; i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done'
	run call ContainerStats "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 0 ]
	local cpu1 mem1 nano
	cpu1=$(field .stats.cpu.usage_core_nano_seconds.value <<<"$output")
	mem1=$(field .stats.memory.working_set_bytes.value <<<"$output")
	nano=$(field .stats.cpu.usage_nano_cores.value <<<"$output")
	[ "$cpu1" -gt "$cpu0" ]
	[ "$mem1" -ge $((mem0 + (20 << 20))) ]
	[ "$nano" -gt 0 ]      # the rate since the previous call
	[ "$(field .stats.memory.usage_bytes.value <<<"$output")" -ge "$mem1" ]
	[ "$(field .stats.writable_layer.inodes_used.value <<<"$output")" -ge 1 ]

	# The writable layer grows with what the container writes outside volumes.
	local disk0 disk1
	disk0=$(field .stats.writable_layer.used_bytes.value <<<"$output")
	cridctl exec "$CTR" sh -c 'head -c 1048576 /dev/urandom > /written; sync'
	disk1=$(call ContainerStats "{\"container_id\": \"$CTR\"}" | field .stats.writable_layer.used_bytes.value)
	[ "$disk1" -ge $((disk0 + 1000000)) ]

	# cridctl prints them too.
	run cridctl stats "$CTR"
	[ "$status" -eq 0 ]
	[[ "$output" == *c1* || "$output" == *"${CTR:0:13}"* ]]
}

@test "stats: list filters, and the pod's stats hold its containers" {
	run_ctr c1
	local c1=$CTR
	CTR_JQ='.labels.role = "second"' run_ctr c2
	local c2=$CTR

	run call ListContainerStats '{}'
	[ "$status" -eq 0 ]
	[ "$(jq '.stats | length' <<<"$output")" -eq 2 ]
	run call ListContainerStats '{"filter": {"label_selector": {"role": "second"}}}'
	[ "$(jq -r '.stats[0].attributes.id' <<<"$output")" = "$c2" ]
	[ "$(jq '.stats | length' <<<"$output")" -eq 1 ]
	run call ListContainerStats "{\"filter\": {\"id\": \"$c1\"}}"
	[ "$(jq -r '.stats[0].attributes.id' <<<"$output")" = "$c1" ]
	run call ListContainerStats '{"filter": {"pod_sandbox_id": "ffffffff"}}'
	[ "$(jq '.stats | length' <<<"$output")" -eq 0 ]

	run call PodSandboxStats "{\"pod_sandbox_id\": \"$POD\"}"
	[ "$status" -eq 0 ]
	[ "$(jq -r .stats.attributes.id <<<"$output")" = "$POD" ]
	[ "$(jq -r .stats.attributes.metadata.name <<<"$output")" = p1 ]
	[ "$(jq '.stats.linux.containers | length' <<<"$output")" -eq 2 ]
	# infra + two sleeps
	[ "$(field .stats.linux.process.process_count.value <<<"$output")" -ge 3 ]
	[ "$(field .stats.linux.cpu.usage_core_nano_seconds.value <<<"$output")" -gt 0 ]
	[ "$(field .stats.linux.memory.working_set_bytes.value <<<"$output")" -gt 0 ]
	# The pod's own network namespace: its loopback is left out, nothing else is there.
	[ "$(jq -r '.stats.linux.network.timestamp' <<<"$output")" != null ]

	run call ListPodSandboxStats '{}'
	[ "$(jq -r '.stats[0].attributes.id' <<<"$output")" = "$POD" ]
	run call ListPodSandboxStats '{"filter": {"label_selector": {"pod": "other"}}}'
	[ "$(jq '.stats | length' <<<"$output")" -eq 0 ]

	run call PodSandboxStats '{"pod_sandbox_id": "0000000000000000000000000000000000000000000000000000000000000000"}'
	[ "$status" -eq 1 ]
	[[ "$output" == NOT_FOUND:* ]]
}

@test "update: memory and cpu limits reach the container's cgroup" {
	run_ctr c1
	local cg="$CRID_CGROUP_PARENT/crid-$CTR"
	[ -d "/sys/fs/cgroup/memory$cg" ]

	run cridctl update --memory 67108864 --cpu-shares 512 --cpu-quota 50000 --cpu-period 100000 "$CTR"
	[ "$status" -eq 0 ]
	[ "$(cat "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes")" = 67108864 ]
	[ "$(cat "/sys/fs/cgroup/cpu$cg/cpu.shares")" = 512 ]
	[ "$(cat "/sys/fs/cgroup/cpu$cg/cpu.cfs_quota_us")" = 50000 ]

	# ContainerStatus shows the new resources, the ones not given kept.
	run call ContainerStatus "{\"container_id\": \"$CTR\"}"
	[ "$(jq -r .status.resources.linux.memory_limit_in_bytes <<<"$output")" = 67108864 ]
	[ "$(jq -r .status.resources.linux.cpu_shares <<<"$output")" = 512 ]
	run cridctl update --memory 134217728 "$CTR"
	[ "$status" -eq 0 ]
	run call ContainerStatus "{\"container_id\": \"$CTR\"}"
	[ "$(jq -r .status.resources.linux.memory_limit_in_bytes <<<"$output")" = 134217728 ]
	[ "$(jq -r .status.resources.linux.cpu_shares <<<"$output")" = 512 ]
	cridctl update --memory 67108864 "$CTR"

	# available_bytes follows the new limit.
	run call ContainerStats "{\"container_id\": \"$CTR\"}"
	local avail ws
	avail=$(field .stats.memory.available_bytes.value <<<"$output")
	ws=$(field .stats.memory.working_set_bytes.value <<<"$output")
	[ $((avail + ws)) -eq 67108864 ]

	# A limit the runtime refuses comes back with its message.
	run call UpdateContainerResources "{\"container_id\": \"$CTR\", \"linux\": {\"memory_limit_in_bytes\": 4096}}"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$CTR"* ]]
	[ "$(cat "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes")" = 67108864 ]

	cridctl stop -t 0 "$CTR" >/dev/null
	run call UpdateContainerResources "{\"container_id\": \"$CTR\", \"linux\": {\"memory_limit_in_bytes\": 33554432}}"
	[ "$status" -eq 1 ]
	[[ "$output" == FAILED_PRECONDITION:* ]]
}

@test "reopen-log: after the kubelet moves the log, new lines go to a new file" {
	run_ctr c1 sh -c 'i=0; while true; do echo line$i; i=$((i+1)); sleep 0.1; done'
	local log="$T/logs/p1/c1.log" i
	for i in $(seq 50); do [ -s "$log" ] && break; sleep 0.1; done
	[ -s "$log" ]

	mv "$log" "$log.1"
	run call ReopenContainerLog "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 0 ]
	for i in $(seq 50); do [ -s "$log" ] && break; sleep 0.1; done
	[ -s "$log" ]
	# CRI log lines in the new file, and the old one no longer grows.
	grep -Eq '^[0-9T:.+Z-]+ stdout F line[0-9]+$' "$log"
	local old
	old=$(wc -c <"$log.1")
	sleep 0.5
	[ "$(wc -c <"$log.1")" -eq "$old" ]
	# No line lost across the switch: the numbers run on.
	local last first
	last=$(tail -n1 "$log.1" | sed 's/.*line//')
	first=$(head -n1 "$log" | sed 's/.*line//')
	[ "$first" -eq $((last + 1)) ]

	cridctl stop -t 0 "$CTR" >/dev/null
	run call ReopenContainerLog "{\"container_id\": \"$CTR\"}"
	[ "$status" -eq 1 ]
	[[ "$output" == FAILED_PRECONDITION:* ]]
}
