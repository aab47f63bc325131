#!/usr/bin/env bats
# Fault injection: crid killed with SIGKILL during pull, start, stop and remove
# (create and run-sandbox: crid_recovery.bats), then restarted: state
# consistent, nothing lost or leaked. A monitor killed under its container, a
# full log volume, a registry that drops connections mid-blob.
#
# The crash points are CRID_TEST_CRASH_AT=start-container|stop-container|
# remove-container (crid(8)); the pull is killed by timing, behind
# fault_proxy.py holding a blob half sent. Runs with $CRID_TEST_RUNTIME
# (default $BERTH); again with CRID_TEST_RUNTIME=/usr/sbin/runc.
# run-all: again with runc

load crid_helpers

setup_file() { crid_setup_file; }
teardown_file() { crid_teardown_file; }

setup() {
	crid_setup
	start_crid
	# The pull tests need the blobs still to fetch.
	case "$BATS_TEST_DESCRIPTION" in *pull* | *registry*) ;; *) pull_busybox ;; esac
}

teardown() {
	if [ -n "${PROXY_PID:-}" ]; then kill "$PROXY_PID" 2>/dev/null; wait "$PROXY_PID" 2>/dev/null; fi
	if [ -n "${LOGFS:-}" ] && mountpoint -q "$LOGFS"; then
		# The pods first: their monitors hold the log files open.
		for id in $(cri ListPodSandbox | jq -r '.items[]?.id'); do
			cri StopPodSandbox "{\"podSandboxId\": \"$id\"}" >/dev/null || true
			cri RemovePodSandbox "{\"podSandboxId\": \"$id\"}" >/dev/null || true
		done
		umount "$LOGFS"
	fi
	crid_teardown
}

# crid restarted with a crash point armed; the call that reaches it fails.
restart_crashing_at() {
	kill_crid
	CRID_TEST_CRASH_AT=$1 start_crid
}

# What crid's records say matches what the host holds: a state dir, runtime
# state, monitor and rootfs mount for every record and for nothing else.
assert_consistent() {
	local ctrs pods ids dir id
	ctrs=$(cri ListContainers | jq -r '.containers[]?.id' | sort)
	pods=$(cri ListPodSandbox | jq -r '.items[]?.id' | sort)
	[ "$(ls -A "$T/state/containers" 2>/dev/null | sort)" = "$ctrs" ] ||
		{ echo "container dirs $(ls -A "$T/state/containers") != records $ctrs" >&2; return 1; }
	[ "$(ls -A "$T/state/sandboxes" 2>/dev/null | sort)" = "$pods" ] ||
		{ echo "sandbox dirs $(ls -A "$T/state/sandboxes") != records $pods" >&2; return 1; }
	ids=$(printf '%s\n%s\n' "$ctrs" "$pods")
	for dir in "$T"/state/runtime/*/*/; do
		[ -d "$dir" ] || continue
		id=$(basename "$dir")
		grep -qx "$id" <<<"$ids" || { echo "runtime state without a record: $dir" >&2; return 1; }
	done
	for id in $(grep -o " $T/state/containers/[^/ ]*/" /proc/self/mountinfo | cut -d/ -f2- | awk -F/ '{print $(NF-1)}'); do
		grep -qx "$id" <<<"$ctrs" || { echo "mount of a container without a record: $id" >&2; return 1; }
	done
	for id in $(pgrep -af "^[^ ]*crid-monitor .*$T/" | grep -o -- '--id [^ ]*' | cut -d' ' -f2); do
		grep -qx "$id" <<<"$ids" || { echo "monitor without a record: $id" >&2; return 1; }
	done
	[ -d "$T/root/images/ingest" ] || return 0
	[ -z "$(ls -A "$T/root/images/ingest")" ] ||
		{ echo "partial downloads left: $(ls "$T/root/images/ingest")" >&2; return 1; }
}

start_proxy() {
	PROXY_MODE="$T/proxy.mode"
	echo "$1" >"$PROXY_MODE"
	PROXY_PORT=$(registry_free_port)
	PROXY=127.0.0.1:$PROXY_PORT
	/usr/bin/python3 "$BATS_TEST_DIRNAME/fault_proxy.py" "$PROXY_PORT" "$REGISTRY" "$PROXY_MODE" 2>"$T/proxy.log" &
	PROXY_PID=$!
	for _ in $(seq 50); do
		curl -fsS "http://$PROXY/v2/" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "fault_proxy did not come up: $(cat "$T/proxy.log")" >&2
	return 1
}

@test "crid faults: killed during a pull (a blob half sent), restart forgets it and a new pull works" {
	start_proxy stall
	kill_crid
	start_crid --insecure-registry "127.0.0.1:$PROXY_PORT"
	cri ImageService/PullImage "{\"image\": {\"image\": \"$PROXY/busybox:latest\"}}" >"$T/pull.out" 2>&1 &
	pull=$!
	for _ in $(seq 100); do
		grep -q '^stall ' "$PROXY_MODE.log" 2>/dev/null && break
		sleep 0.1
	done
	grep -q '^stall ' "$PROXY_MODE.log"
	sleep 0.3
	# The blob is being fetched by crid's pull helper, which ends with crid.
	local old=$CRID_PID
	pgrep -f "crid-pull --parent-pid $old\$" >/dev/null
	kill_crid
	wait "$pull" || true
	for _ in $(seq 50); do
		pgrep -f "crid-pull --parent-pid $old\$" >/dev/null || break
		sleep 0.1
	done
	! pgrep -af "crid-pull --parent-pid $old\$" || false

	echo pass >"$PROXY_MODE"
	start_crid --insecure-registry "127.0.0.1:$PROXY_PORT"
	run cri ImageService/ImageStatus "{\"image\": {\"image\": \"$PROXY/busybox:latest\"}}"
	[ "$(echo "$output" | jq -r '.image // empty')" = "" ]
	assert_consistent
	cri ImageService/PullImage "{\"image\": {\"image\": \"$PROXY/busybox:latest\"}}" >/dev/null
	[ "$(cri ImageService/ImageStatus "{\"image\": {\"image\": \"$PROXY/busybox:latest\"}}" | jq -r .image.id)" != null ]
	assert_consistent
}

@test "crid faults: a registry dropping connections mid-blob fails the pull naming the blob; a retry succeeds" {
	start_proxy drop
	kill_crid
	start_crid --insecure-registry "127.0.0.1:$PROXY_PORT"
	run timeout 60 /usr/bin/python3 "$BATS_TEST_DIRNAME/cri_client.py" "$ENDPOINT" ImageService/PullImage \
		"{\"image\": {\"image\": \"$PROXY/busybox:latest\"}}"
	echo "$output"
	[ "$status" -eq 1 ]
	digest=$(grep -m1 '^drop ' "$PROXY_MODE.log" | cut -d' ' -f2)
	[ -n "$digest" ]
	[[ "$output" == *"${digest#sha256:}"* ]]
	assert_consistent
	echo pass >"$PROXY_MODE"
	cri ImageService/PullImage "{\"image\": {\"image\": \"$PROXY/busybox:latest\"}}" >/dev/null
	run_pod afterdrop
	CTR_JQ=".image.image = \"$PROXY/busybox:latest\"" run_ctr hello echo pulled
	wait_ctr_state "$CTR" CONTAINER_EXITED
	[ "$(log_lines "$T/logs/afterdrop/hello.log")" = pulled ]
}

@test "crid faults: killed after the runtime started a container, restart records it running" {
	run_pod starting
	create_ctr c sh -c 'trap "exit 0" TERM; sleep 3600 & wait'
	restart_crashing_at start-container
	run cri StartContainer "{\"containerId\": \"$CTR\"}"
	[ "$status" -eq 1 ]
	crid_crashed
	start_crid
	[ "$(ctr_state "$CTR")" = CONTAINER_RUNNING ]
	[ "$(ctr_status "$CTR" | jq -r .status.startedAt)" != 0 ]
	assert_consistent
	cri StopContainer "{\"containerId\": \"$CTR\", \"timeout\": 5}" >/dev/null
	[ "$(ctr_state "$CTR")" = CONTAINER_EXITED ]
	[ "$(ctr_status "$CTR" | jq -r .status.exitCode)" = 0 ]
}

@test "crid faults: killed after sending the stop signal, restart records the exit" {
	run_pod stopping
	run_ctr c sh -c 'trap "exit 3" TERM; sleep 3600 & wait'
	restart_crashing_at stop-container
	run cri StopContainer "{\"containerId\": \"$CTR\", \"timeout\": 10}"
	[ "$status" -eq 1 ]
	crid_crashed
	start_crid
	wait_ctr_state "$CTR" CONTAINER_EXITED
	[ "$(ctr_status "$CTR" | jq -r .status.exitCode)" = 3 ]
	assert_consistent
	cri RemoveContainer "{\"containerId\": \"$CTR\"}" >/dev/null
	assert_consistent
}

@test "crid faults: killed half way through a remove, restart keeps the record and a second remove finishes" {
	run_pod removing
	run_ctr c echo bye
	wait_ctr_state "$CTR" CONTAINER_EXITED
	restart_crashing_at remove-container
	run cri RemoveContainer "{\"containerId\": \"$CTR\"}"
	[ "$status" -eq 1 ]
	crid_crashed
	start_crid
	[ "$(ctr_state "$CTR")" = CONTAINER_EXITED ]
	cri RemoveContainer "{\"containerId\": \"$CTR\"}" >/dev/null
	run ctr_status "$CTR"
	[[ "$output" == "NOT_FOUND: "* ]]
	! grep -q " $T/state/containers/" /proc/self/mountinfo || false
	[ -z "$(ls -A "$T/root/containers" 2>/dev/null)" ]
	assert_consistent
}

@test "crid faults: a monitor killed under its container makes it EXITED with a reason, and removal cleans up" {
	run_pod orphan
	run_ctr c sleep 3600
	monitor=$(pgrep -f "^[^ ]*crid-monitor .*--id $CTR")
	[ -n "$monitor" ]
	kill -KILL "$monitor"
	run timeout 20 /usr/bin/python3 "$BATS_TEST_DIRNAME/cri_client.py" "$ENDPOINT" ContainerStatus "{\"containerId\": \"$CTR\"}"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status.state)" = CONTAINER_EXITED ]
	[ "$(echo "$output" | jq -r .status.reason)" = Unknown ]
	[[ "$(echo "$output" | jq -r .status.message)" == *"monitor (crid-monitor) died"* ]]
	# The container went with it: nothing runs unwatched.
	state=$("$CRID_TEST_RUNTIME" --root "$T/state/runtime/default" state "$CTR" 2>/dev/null | jq -r .status || echo gone)
	[ "$state" = stopped ] || [ "$state" = gone ]
	cri RemoveContainer "{\"containerId\": \"$CTR\"}" >/dev/null
	assert_consistent
	# The pod still runs containers.
	run_ctr again echo fine
	wait_ctr_state "$CTR" CONTAINER_EXITED
}

@test "crid faults: a full log volume keeps the container running, shows in its status, and logging resumes" {
	LOGFS="$T/logs/full"
	mkdir -p "$LOGFS"
	mount -t tmpfs -o size=256k tmpfs "$LOGFS"
	run_pod full
	# 200-byte lines, 4 KiB a second: the slack of the log file's last page
	# (tmpfs allocates pages) is used up within a second of the volume filling.
	run_ctr c sh -c 'pad=$(printf "%0190d" 0); i=0; while :; do i=$((i+1)); echo "line $pad $i"; sleep 0.05; done'
	sleep 0.5
	dd if=/dev/zero of="$LOGFS/filler" bs=4k 2>/dev/null || true
	sleep 2
	run ctr_status "$CTR"
	echo "$output"
	[ "$(echo "$output" | jq -r .status.state)" = CONTAINER_RUNNING ]
	[[ "$(echo "$output" | jq -r .status.message)" == *"No space left on device"* ]]
	before=$(wc -l <"$LOGFS/c.log")

	rm "$LOGFS/filler"
	sleep 1
	run ctr_status "$CTR"
	[ "$(echo "$output" | jq -r .status.state)" = CONTAINER_RUNNING ]
	[ "$(echo "$output" | jq -r .status.message)" = "" ]
	[ "$(wc -l <"$LOGFS/c.log")" -gt "$before" ]
	tail -1 "$LOGFS/c.log" | grep -q ' stdout F line 0* [0-9]*$'
}
