# Shared helpers for the crid test files that run pods and containers
# (crid_pods.bats, crid_containers.bats, crid_recovery.bats, crid_monitor.bats,
# crid_exec_stats.bats). Load with `load crid_helpers` (it loads registry.bash).
#
# Environment:
#   BERTH              the OCI runtime under test (its directory also holds crid and cridctl
#                      when it is a path; default /usr/local/bin/berth)
#   CRID, CRIDCTL      the daemon and client under test (default: beside $BERTH)
#   CRID_LIBEXEC       where crid-monitor, crid-pause and crid-pull are (default: ../libexec/crid
#                      from the bin directory)
#   CRID_SECCOMP_PROFILE  the RuntimeDefault profile (default: ../share/crid/ from the bin dir)
#   CRID_TEST_RUNTIME  the runtime crid runs containers with (default $BERTH; the suite is
#                      also run with CRID_TEST_RUNTIME=/usr/sbin/runc)
#
# In setup_file:  crid_setup_file   (a registry with a busybox image; BUSYBOX=REF)
# In teardown_file: crid_teardown_file
# In setup:       crid_setup        (T, SOCK, ENDPOINT; skips when crid is not installed)
# In teardown:    crid_teardown     (removes every pod through the API, kills crid by pid,
#                                    fails when a mount under $T, a monitor or a cgroup is left)
#
#   start_crid [FLAGS...]    starts crid with this test's --root/--state/--listen, the runtime,
#                            monitor and infra binaries, a loopback-only CNI config dir (FLAGS
#                            may name another); waits until it answers; sets CRID_PID
#   kill_crid                SIGKILL crid (restart recovery tests) and reap it
#   cridctl ARGS...          cridctl against this test's crid
#   pod_json NAME [JQ]       writes $T/NAME-pod.json (metadata uid/namespace from the name,
#                            log_directory $T/logs/NAME), prints its path; JQ edits it
#   ctr_json NAME [CMD...]   writes $T/NAME-ctr.json running CMD (default: sleep 3600) in
#                            $BUSYBOX, log_path NAME.log; prints its path. CTR_JQ=FILTER edits it
#   run_pod NAME [JQ]        RunPodSandbox: sets POD (id) and POD_JSON
#   create_ctr NAME CMD...   CreateContainer in $POD: sets CTR (id)
#   run_ctr NAME CMD...      create + start in $POD: sets CTR (id)
#   ctr_status ID            ContainerStatus as JSON; ctr_state ID: its state (CONTAINER_RUNNING...)
#   wait_ctr_state ID STATE  waits (10s) until ContainerStatus shows that state
#   cri METHOD [JSON]        calls METHOD through the Python gRPC client (cri_client.py):
#                            the response as JSON, or "CODE: message" on stderr and status 1
#   log_lines FILE           the text of a CRI log file's lines, without timestamp/stream/tag

load registry

if [[ "${BERTH:-}" == */* ]]; then
	CRID_BIN_DIR="$(dirname "$BERTH")"
else
	CRID_BIN_DIR=/usr/local/bin
fi
CRID="${CRID:-$CRID_BIN_DIR/crid}"
CRIDCTL="${CRIDCTL:-$CRID_BIN_DIR/cridctl}"
CRID_LIBEXEC="${CRID_LIBEXEC:-$(cd "$CRID_BIN_DIR/.." 2>/dev/null && pwd)/libexec/crid}"
CRID_TEST_RUNTIME="${CRID_TEST_RUNTIME:-${BERTH:-/usr/local/bin/berth}}"
CRID_SECCOMP_PROFILE="${CRID_SECCOMP_PROFILE:-$(cd "$CRID_BIN_DIR/.." 2>/dev/null && pwd)/share/crid/seccomp-default.json}"

crid_setup_file() {
	if ! [ -x "$CRID" ] || ! [ -x "$CRIDCTL" ]; then return 0; fi
	start_registry || return 1
	push_busybox_image latest || return 1
	export BUSYBOX="$REGISTRY/busybox:latest"
}

crid_teardown_file() {
	if [ -n "${REGISTRY_PID:-}" ]; then stop_registry; fi
	return 0
}

crid_setup() {
	if ! [ -x "$CRID" ] || ! [ -x "$CRIDCTL" ]; then
		skip "crid or cridctl not installed at $CRID_BIN_DIR"
	fi
	if ! [ -x "$CRID_LIBEXEC/crid-monitor" ] || ! [ -x "$CRID_LIBEXEC/crid-pause" ] || ! [ -x "$CRID_LIBEXEC/crid-pull" ]; then
		skip "crid-monitor, crid-pause or crid-pull not installed in $CRID_LIBEXEC"
	fi
	T="$BATS_TEST_TMPDIR"
	SOCK="$T/crid.sock"
	ENDPOINT="unix://$SOCK"
	CRID_PIDS=()
	CRID_CGROUP_PARENT="/crid-test-$$-${BATS_TEST_NUMBER}"
	mkdir -p "$T/logs"
}

start_crid() {
	# Pods get a network namespace with loopback only, never the host's
	# /etc/cni/net.d networks; crid_network.bats passes its own --cni-config-dir.
	mkdir -p "$T/cni-loopback"
	echo '{"cniVersion": "1.0.0", "name": "crid-test-loopback", "plugins": [{"type": "loopback"}]}' \
		>"$T/cni-loopback/10-loopback.conflist"
	"$CRID" --root "$T/root" --state "$T/state" --listen "$ENDPOINT" \
		--cni-config-dir "$T/cni-loopback" \
		--runtime "$CRID_TEST_RUNTIME" \
		--monitor-path "$CRID_LIBEXEC/crid-monitor" \
		--infra-binary "$CRID_LIBEXEC/crid-pause" \
		--pull-helper "$CRID_LIBEXEC/crid-pull" \
		--cgroup-parent "$CRID_CGROUP_PARENT" \
		--seccomp-default-profile "$CRID_SECCOMP_PROFILE" \
		--insecure-registry "${REGISTRY:-127.0.0.1:1}" \
		"$@" >>"$T/crid.log" 2>&1 &
	CRID_PID=$!
	CRID_PIDS+=("$CRID_PID")
	local i
	for i in $(seq 100); do
		if [ -S "$SOCK" ] && "$CRIDCTL" -r "$ENDPOINT" -t 1 version >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$CRID_PID" 2>/dev/null; then
			echo "crid exited during startup:" >&2
			cat "$T/crid.log" >&2
			return 1
		fi
		sleep 0.1
	done
	echo "crid did not answer on $ENDPOINT within 10s:" >&2
	cat "$T/crid.log" >&2
	return 1
}

kill_crid() {
	kill -KILL "$CRID_PID" 2>/dev/null || true
	wait "$CRID_PID" 2>/dev/null || true
}

# Succeeds once crid has died by its own hand (a CRID_TEST_CRASH_AT switch).
# The client sees the socket close while the kernel is still tearing the
# process down, so give it a moment, and reap the zombie.
crid_crashed() {
	local i
	for i in $(seq 50); do
		if ! kill -0 "$CRID_PID" 2>/dev/null; then
			return 0
		fi
		if [ "$(awk '{print $3}' "/proc/$CRID_PID/stat" 2>/dev/null)" = Z ]; then
			wait "$CRID_PID" 2>/dev/null || true
			return 0
		fi
		sleep 0.1
	done
	echo "crid (pid $CRID_PID) is still alive" >&2
	return 1
}

cridctl() {
	"$CRIDCTL" -r "$ENDPOINT" "$@"
}

# Pulls $BUSYBOX into this test's crid.
pull_busybox() {
	cri ImageService/PullImage "{\"image\": {\"image\": \"$BUSYBOX\"}}" >/dev/null
}

pod_json() {
	local name=$1 filter=${2:-.} file="$T/$1-pod.json"
	mkdir -p "$T/logs/$name"
	jq -n --arg name "$name" --arg uid "uid-$name-$$" --arg logs "$T/logs/$name" '{
		metadata: {name: $name, namespace: "crid-test", uid: $uid, attempt: 0},
		hostname: $name,
		log_directory: $logs,
		labels: {"crid-test": "yes", pod: $name},
		annotations: {"crid-test/pod": $name},
		linux: {}
	}' | jq "$filter" >"$file"
	echo "$file"
}

ctr_json() {
	local name=$1 file="$T/$1-ctr.json" cmd
	shift
	if [ $# -eq 0 ]; then set -- sleep 3600; fi
	cmd=$(printf '%s\n' "$@" | jq -R . | jq -s .)
	jq -n --arg name "$name" --arg image "$BUSYBOX" --argjson cmd "$cmd" '{
		metadata: {name: $name, attempt: 0},
		image: {image: $image},
		command: $cmd,
		log_path: ($name + ".log"),
		labels: {"crid-test": "yes", ctr: $name},
		annotations: {"crid-test/ctr": $name},
		linux: {}
	}' | jq "${CTR_JQ:-.}" >"$file"
	echo "$file"
}

run_pod() {
	POD_JSON=$(pod_json "$@")
	POD=$(cri RunPodSandbox "$(jq -n --slurpfile c "$POD_JSON" '{config: $c[0]}')" | jq -r .podSandboxId)
	[ -n "$POD" ] && [ "$POD" != null ]
}

# create_ctr NAME CMD...: CreateContainer in $POD; sets CTR.
create_ctr() {
	local name=$1 file
	shift
	file=$(ctr_json "$name" "$@")
	CTR=$(cri CreateContainer "$(jq -n --arg pod "$POD" --slurpfile c "$file" --slurpfile p "$POD_JSON" \
		'{podSandboxId: $pod, config: $c[0], sandboxConfig: $p[0]}')" | jq -r .containerId)
	[ -n "$CTR" ] && [ "$CTR" != null ]
}

run_ctr() {
	create_ctr "$@" && cri StartContainer "{\"containerId\": \"$CTR\"}" >/dev/null
}

ctr_status() {
	cri ContainerStatus "{\"containerId\": \"$1\"}"
}

cri() {
	/usr/bin/python3 "$BATS_TEST_DIRNAME/cri_client.py" "$ENDPOINT" "$@"
}

log_lines() {
	cut -d' ' -f4- "$1"
}

ctr_state() {
	ctr_status "$1" | jq -r '.status.state'
}

wait_ctr_state() {
	local id=$1 want=$2 i
	for i in $(seq 100); do
		[ "$(ctr_state "$id")" = "$want" ] && return 0
		sleep 0.1
	done
	echo "container $id did not reach $want: $(ctr_status "$id")" >&2
	return 1
}

crid_teardown() {
	local pid id
	if [ -n "${CRID_PID:-}" ] && kill -0 "$CRID_PID" 2>/dev/null; then
		for id in $(cri ListPodSandbox | jq -r '.items[]?.id'); do
			cri StopPodSandbox "{\"podSandboxId\": \"$id\"}" >/dev/null || true
			cri RemovePodSandbox "{\"podSandboxId\": \"$id\"}" >/dev/null || echo "teardown: remove pod $id failed" >&2
		done
	fi
	for pid in "${CRID_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	local leaks=
	if [ -n "${T:-}" ] && grep -q " $T/" /proc/self/mountinfo; then
		leaks="mounts: $(grep " $T/" /proc/self/mountinfo | awk '{print $5}' | tr '\n' ' ')"
		grep " $T/" /proc/self/mountinfo | awk '{print $5}' | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
	fi
	if [ -n "${T:-}" ] && pgrep -f "^[^ ]*crid-monitor .*$T/" >/dev/null 2>&1; then
		leaks="$leaks monitors: $(pgrep -f "^[^ ]*crid-monitor .*$T/" | tr '\n' ' ')"
		for pid in $(pgrep -f "^[^ ]*crid-monitor .*$T/"); do kill -KILL "$pid" 2>/dev/null || true; done
	fi
	if [ -n "${CRID_CGROUP_PARENT:-}" ]; then
		local dir
		for dir in /sys/fs/cgroup/*"$CRID_CGROUP_PARENT"; do
			[ -d "$dir" ] || continue
			if find "$dir" -mindepth 1 -type d | grep -q .; then leaks="$leaks cgroups: $dir"; fi
			# Processes left in this test's cgroups (an infra or container
			# the test lost track of) are this test's: end them, so the
			# directories can go and nothing outlives the test.
			cat $(find "$dir" -name cgroup.procs) 2>/dev/null | sort -u | xargs -r kill -KILL 2>/dev/null || true
			local i
			for i in $(seq 20); do
				find "$dir" -depth -type d -exec rmdir {} \; 2>/dev/null || true
				[ -d "$dir" ] || break
				sleep 0.1
			done
		done
	fi
	if [ -n "$leaks" ]; then
		echo "teardown: left behind: $leaks" >&2
		# crid's own account of what it did is the first thing to read.
		[ -f "$T/crid.log" ] && tail -n 40 "$T/crid.log" | sed 's/^/crid.log: /' >&2
		return 1
	fi
	return 0
}
