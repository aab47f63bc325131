#!/usr/bin/env bats
# crid, the CRI daemon, driven with cridctl: startup and its errors, Version
# and Status, shutdown, readiness and socket activation, and image pulls from
# a private docker-registry on 127.0.0.1 (tests/integration/registry.bash).
#
# Every test starts its own crid with its own --root, --state and --listen
# under $BATS_TEST_TMPDIR and stops it by pid in teardown.
#
# CRID, CRIDCTL  binaries under test (default: beside $BERTH when that is a
#                path, else /usr/local/bin)
# CRID_LIBEXEC   where crid-pull is (default: ../libexec/crid from their directory)

load registry

if [[ "${BERTH:-}" == */* ]]; then
	CRID_BIN_DIR="$(dirname "$BERTH")"
else
	CRID_BIN_DIR=/usr/local/bin
fi
CRID="${CRID:-$CRID_BIN_DIR/crid}"
CRIDCTL="${CRIDCTL:-$CRID_BIN_DIR/cridctl}"
CRID_LIBEXEC="${CRID_LIBEXEC:-$(dirname "$CRID_BIN_DIR")/libexec/crid}"

setup() {
	if ! [ -x "$CRID" ] || ! [ -x "$CRIDCTL" ]; then
		skip "crid or cridctl not installed at $CRID_BIN_DIR (configure builds them only when gRPC, protobuf, SQLite and toml++ are found)"
	fi
	T="$BATS_TEST_TMPDIR"
	SOCK="$T/crid.sock"
	ENDPOINT="unix://$SOCK"
	CRID_PIDS=()
	HELPER_PIDS=()
}

teardown() {
	local pid
	for pid in "${CRID_PIDS[@]}" "${HELPER_PIDS[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	if [ -n "${REGISTRY_PID:-}" ]; then stop_registry; fi
	return 0
}

# Starts crid in the background with this test's directories and any extra
# flags; waits for its socket to answer. Sets CRID_PID.
start_crid() {
	"$CRID" --root "$T/root" --state "$T/state" --listen "$ENDPOINT" \
		--pull-helper "$CRID_LIBEXEC/crid-pull" "$@" >>"$T/crid.log" 2>&1 &
	CRID_PID=$!
	CRID_PIDS+=("$CRID_PID")
	wait_for_crid
}

wait_for_crid() {
	local i
	for i in $(seq 100); do
		if [ -S "$SOCK" ] && "$CRIDCTL" -r "$ENDPOINT" -t 1 version >/dev/null 2>&1; then
			return 0
		fi
		if [ -n "${CRID_PID:-}" ] && ! kill -0 "$CRID_PID" 2>/dev/null; then
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

# Sends SIGTERM to crid and waits for it to exit; sets CRID_STATUS.
stop_crid() {
	kill -TERM "$CRID_PID"
	CRID_STATUS=0
	wait "$CRID_PID" || CRID_STATUS=$?
}

cridctl() {
	"$CRIDCTL" -r "$ENDPOINT" "$@"
}

# A local registry holding busybox:latest, and a crid allowed to pull from it
# (any arguments go to crid).
start_crid_with_busybox() {
	need_registry_tools
	start_registry
	push_busybox_image latest
	start_crid --insecure-registry "$REGISTRY" "$@"
}

need_registry_tools() {
	local tool
	for tool in docker-registry skopeo umoci curl; do
		command -v "$tool" >/dev/null ||
			skip "$tool is not installed (Debian: apt-get install docker-registry skopeo umoci curl)"
	done
	[ -x /bin/busybox ] || skip "/bin/busybox is missing (Debian: apt-get install busybox-static)"
}

@test "crid: version and info over the socket" {
	mkdir -p "$T/cni" "$T/cni-bin"
	start_crid --cni-config-dir "$T/cni" --cni-plugin-dir "$T/cni-bin"
	run cridctl version
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Version:  0.1.0" ]
	[ "${lines[1]}" = "RuntimeName:  crid" ]
	[[ "${lines[2]}" == "RuntimeVersion:  "* ]]
	[ "${lines[3]}" = "RuntimeApiVersion:  v1" ]

	run cridctl info
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.status.conditions[] | select(.type == "RuntimeReady") | .status == true'
	echo "$output" | jq -e '.status.conditions[] | select(.type == "NetworkReady") | .status == false and .reason == "NetworkPluginNotReady" and .message != ""'
	echo "$output" | jq -e --arg root "$T/root" '.config.root == $root'
	echo "$output" | jq -e --arg p "$CRID_LIBEXEC/crid-pull" '.config.pullHelper == $p'

	# A CNI config written later is picked up without a restart.
	printf '#!/bin/sh\n' >"$T/cni-bin/noop" && chmod +x "$T/cni-bin/noop"
	echo '{"cniVersion": "1.0.0", "name": "later", "plugins": [{"type": "noop"}]}' >"$T/cni/10-later.conflist"
	run cridctl info
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.status.conditions[] | select(.type == "NetworkReady") | .status == true'
}

@test "crid: serves gRPC itself; requests no gRPC client sends get an answer naming the fault" {
	start_crid
	# crid's own HTTP/2 server (crid/rpc/): libgrpc is not in the daemon.
	! grep -E 'lib(grpc|grpc\+\+|upb|re2|cares)\.so' "/proc/$CRID_PID/maps" || false
	grep -q 'libnghttp2\.so' "/proc/$CRID_PID/maps"
	# Nor OpenSSL without TLS: sha256 and sha1 come from nettle.
	! grep -E 'lib(ssl|crypto)\.so' "/proc/$CRID_PID/maps" || false

	h2() { # PATH BODY-FILE [curl args]: the response headers and trailers, CRs stripped
		local path=$1 body=$2
		shift 2
		curl -sS --http2-prior-knowledge --unix-socket "$SOCK" -o /dev/null -D - \
			--data-binary "@$body" "$@" "http://localhost$path" | tr -d '\r'
	}
	printf '\0\0\0\0\0' >"$T/empty"
	run h2 /runtime.v1.RuntimeService/Version "$T/empty" -X GET
	[[ "${lines[0]}" == "HTTP/2 405"* ]]
	run h2 /runtime.v1.RuntimeService/Version "$T/empty" -H "content-type: application/json"
	[[ "${lines[0]}" == "HTTP/2 415"* ]]
	run h2 /runtime.v1.RuntimeService/Nope "$T/empty" -H "content-type: application/grpc"
	[[ "$output" == *"grpc-status: 12"* ]]
	[[ "$output" == *"grpc-message: crid has no method /runtime.v1.RuntimeService/Nope"* ]]
	printf '\1\0\0\0\0' >"$T/compressed"
	run h2 /runtime.v1.RuntimeService/Version "$T/compressed" -H "content-type: application/grpc"
	[[ "$output" == *"grpc-status: 13"* ]]
	[[ "$output" == *"crid offers no compression"* ]]
	printf '\0\0\0\0\3ab' >"$T/cut"
	run h2 /runtime.v1.RuntimeService/Version "$T/cut" -H "content-type: application/grpc"
	[[ "$output" == *"grpc-message: the request's message is cut short: 2 of 3 bytes"* ]]
	printf '\0\0\0\0\2\377\377' >"$T/garbage"
	run h2 /runtime.v1.RuntimeService/Version "$T/garbage" -H "content-type: application/grpc"
	[[ "$output" == *"grpc-message: the request message does not parse as runtime.v1.VersionRequest"* ]]
	# Over the 4 MiB gRPC allows by default.
	head -c $((4 * 1024 * 1024 + 10)) /dev/zero >"$T/big"
	run h2 /runtime.v1.RuntimeService/Version "$T/big" -H "content-type: application/grpc"
	[[ "$output" == *"grpc-status: 8"* ]]
	[[ "$output" == *"more than the 4194304 bytes crid accepts"* ]]
	# HTTP/1.1 on the socket: the connection is closed, crid serves on.
	! curl -sS --max-time 5 --unix-socket "$SOCK" http://localhost/ -o /dev/null 2>/dev/null || false
	run h2 /runtime.v1.RuntimeService/Version "$T/empty" -H "content-type: application/grpc"
	[[ "$output" == *"grpc-status: 0"* ]]
	run cridctl version
	[ "$status" -eq 0 ]
	kill -0 "$CRID_PID"
}

@test "crid: socket is root-owned, mode 0660; SIGTERM removes it and exits 0" {
	start_crid
	[ "$(stat -c '%a %u %g %F' "$SOCK")" = "660 0 0 socket" ]
	stop_crid
	[ "$CRID_STATUS" -eq 0 ]
	[ ! -e "$SOCK" ]
	[ ! -e "$SOCK.lock" ]
	grep -q 'crid stopped' "$T/crid.log"
}

@test "crid: a socket in use is an error, not taken over" {
	start_crid
	run "$CRID" --root "$T/root2" --state "$T/state2" --listen "$ENDPOINT"
	[ "$status" -ne 0 ]
	[[ "$output" == *"listen on $SOCK: socket in use"* ]]
	# The first crid still serves.
	cridctl version

	# A socket another program serves (not a crid) is refused the same way.
	local other="$T/other.sock"
	python3 -c 'import socket,sys,time
s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(1); time.sleep(60)' "$other" &
	HELPER_PIDS+=($!)
	for _ in $(seq 50); do [ -S "$other" ] && break; sleep 0.1; done
	run "$CRID" --root "$T/root3" --state "$T/state3" --listen "unix://$other"
	[ "$status" -ne 0 ]
	[[ "$output" == *"socket in use: another process is accepting connections on it"* ]]
	[ -S "$other" ]
}

@test "crid: a stale socket left by a killed crid is replaced" {
	start_crid
	kill -KILL "$CRID_PID"
	wait "$CRID_PID" || true
	[ -S "$SOCK" ]
	start_crid
	cridctl version
	grep -q "removing stale socket $SOCK" "$T/crid.log"
}

@test "crid: bad config file lines are reported with their line number" {
	printf 'root = "%s"\n# a comment\nlisten = = "unix:///x"\n' "$T/root" >"$T/syntax.conf"
	run "$CRID" --config "$T/syntax.conf"
	[ "$status" -eq 2 ]
	[[ "$output" == "crid: $T/syntax.conf:3:"* ]]

	printf 'root = "%s"\n\nlisen = "unix:///x"\n' "$T/root" >"$T/unknown.conf"
	run "$CRID" --config "$T/unknown.conf"
	[ "$status" -eq 2 ]
	[ "$output" = "crid: $T/unknown.conf:3: unknown setting \"lisen\"" ]

	printf '\n\n\nstate = 42\n' >"$T/type.conf"
	run "$CRID" --config "$T/type.conf"
	[ "$status" -eq 2 ]
	[ "$output" = "crid: $T/type.conf:4: state: expected a string" ]

	run "$CRID" --config "$T/missing.conf"
	[ "$status" -eq 2 ]
	[ "$output" = "crid: read config file $T/missing.conf: No such file or directory" ]
	[ ! -e "$T/root" ]
}

@test "crid: settings from the config file, flags win over it" {
	cat >"$T/crid.conf" <<-EOF
		root = "$T/root"
		state = "$T/file-state"
		listen = "unix:///nonexistent/crid.sock"
		log_level = "debug"
		insecure_registries = ["127.0.0.1:1"]
	EOF
	start_crid --config "$T/crid.conf" --insecure-registry 127.0.0.1:2
	run cridctl info
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg s "$T/state" '.config.state == $s'
	echo "$output" | jq -e --arg l "$ENDPOINT" '.config.listen == $l'
	echo "$output" | jq -e '.config.logLevel == "debug"'
	echo "$output" | jq -e '.config.insecureRegistries == ["127.0.0.1:1", "127.0.0.1:2"]'
	echo "$output" | jq -e --arg c "$T/crid.conf" '.config.configPath == $c'
}

@test "crid: unusable directories and flags are clear startup errors" {
	touch "$T/a-file"
	run "$CRID" --root "$T/a-file" --state "$T/state" --listen "$ENDPOINT"
	[ "$status" -eq 1 ]
	[[ "$output" == *"root directory $T/a-file: not a directory"* ]]
	[ ! -e "$SOCK" ]

	run "$CRID" --root "$T/root" --state /proc/crid-state --listen "$ENDPOINT"
	[ "$status" -eq 1 ]
	[[ "$output" == *"state directory /proc/crid-state: create /proc/crid-state: "* ]]
	[ ! -e "$SOCK" ]

	run "$CRID" --listen tcp://127.0.0.1:1
	[ "$status" -eq 2 ]
	[ "$output" = 'crid: listen address "tcp://127.0.0.1:1": expected unix:///absolute/path' ]

	run "$CRID" --log-level loud
	[ "$status" -eq 2 ]
	[[ "$output" == *'unknown log level "loud"'* ]]
}

@test "cridctl: a crid that is not running is a clear error" {
	run "$CRIDCTL" -r "$ENDPOINT" version
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: connect to $ENDPOINT: $SOCK: No such file or directory (is crid running?)" ]
	CONTAINER_RUNTIME_ENDPOINT="$ENDPOINT" run "$CRIDCTL" images
	[ "$status" -eq 1 ]
	[[ "$output" == *"(is crid running?)" ]]
}

@test "crid: tells systemd READY=1 on NOTIFY_SOCKET" {
	local notify="$T/notify.sock"
	python3 -c 'import socket,sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(20)
print(s.recv(4096).decode(), flush=True)' "$notify" >"$T/notify.out" &
	local listener=$!
	HELPER_PIDS+=("$listener")
	for _ in $(seq 50); do [ -S "$notify" ] && break; sleep 0.1; done
	NOTIFY_SOCKET="$notify" start_crid
	wait "$listener"
	grep -qx 'READY=1' "$T/notify.out"
}

@test "crid: serves a socket passed by systemd (LISTEN_FDS)" {
	command -v systemd-socket-activate >/dev/null || skip "systemd-socket-activate is not installed (Debian: systemd)"
	systemd-socket-activate -l "$SOCK" "$CRID" --root "$T/root" --state "$T/state" \
		--listen "$ENDPOINT" >>"$T/crid.log" 2>&1 &
	CRID_PID=$!
	CRID_PIDS+=("$CRID_PID")
	for _ in $(seq 50); do [ -S "$SOCK" ] && break; sleep 0.1; done
	# The first connection starts crid on the passed socket.
	wait_for_crid
	run cridctl version
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "RuntimeName:  crid" ]
	grep -q 'socket from systemd' "$T/crid.log"
	stop_crid
	[ "$CRID_STATUS" -eq 0 ]
}

@test "crid: pull, list, inspect and remove an image from a local registry" {
	start_crid_with_busybox

	run cridctl pull "$REGISTRY/busybox:latest"
	[ "$status" -eq 0 ]
	# A line per layer first (crid_images.bats checks them), the image last.
	[[ "${lines[-1]}" =~ ^"Image is up to date for sha256:"[0-9a-f]{64}$ ]]
	local id="${lines[-1]##* }"

	# The multi-arch index resolves to the same linux/amd64 image.
	run cridctl pull "$REGISTRY/busybox:latest-index"
	[ "$status" -eq 0 ]
	[ "${lines[-1]}" = "Image is up to date for $id" ]

	run cridctl images
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^IMAGE\ +TAG\ +IMAGE\ ID\ +SIZE$ ]]
	[[ "${lines[1]}" =~ ^"$REGISTRY/busybox"\ +latest\ +${id:7:13}\ +[0-9.]+[kM]B$ ]]
	[[ "${lines[2]}" =~ ^"$REGISTRY/busybox"\ +latest-index\ +${id:7:13}\ + ]]

	run cridctl images -q
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]

	run cridctl images -o json
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$id" '.images | length == 1 and .[0].id == $id'

	run cridctl inspecti "$REGISTRY/busybox:latest"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$id" '.status.id == $id'
	echo "$output" | jq -e --arg r "$REGISTRY" '.status.repoTags == [$r + "/busybox:latest", $r + "/busybox:latest-index"]'
	echo "$output" | jq -e --arg r "$REGISTRY" '.status.repoDigests | length == 2 and all(startswith($r + "/busybox@sha256:"))'
	echo "$output" | jq -e '(.status.size | tonumber) > 0'
	echo "$output" | jq -e '.info.info.imageSpec.config.Cmd == ["/bin/sh"]'
	echo "$output" | jq -e '.info.info.imageSpec.config.Env == ["PATH=/bin"]'
	echo "$output" | jq -e '.info.info.imageSpec.config.Labels["org.berth.test"] == "busybox"'
	echo "$output" | jq -e '.info.info.layers | length == 1'

	# By id prefix, as crictl users type it.
	run cridctl inspecti "${id:7:13}"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg id "$id" '.status.id == $id'

	run cridctl imagefsinfo
	[ "$status" -eq 0 ]
	echo "$output" | jq -e --arg m "$T/root/images" '.status.imageFilesystems[0].fsId.mountpoint == $m'
	echo "$output" | jq -e '(.status.imageFilesystems[0].usedBytes.value | tonumber) > 1000000'
	echo "$output" | jq -e '(.status.imageFilesystems[0].inodesUsed.value | tonumber) > 0'

	run cridctl rmi "$REGISTRY/busybox:latest"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Deleted: $REGISTRY/busybox:latest" ]
	[ "${lines[1]}" = "Deleted: $REGISTRY/busybox:latest-index" ]

	run cridctl images -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run cridctl inspecti "$REGISTRY/busybox:latest"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: no such image \"$REGISTRY/busybox:latest\" present" ]
	# No image refers to the blobs any more: they are gone.
	run cridctl imagefsinfo
	echo "$output" | jq -e '(.status.imageFilesystems[0].usedBytes.value | tonumber) < 1000000'
}

@test "crid: pull errors come back as gRPC errors naming the image" {
	need_registry_tools
	start_registry
	start_crid --insecure-registry "$REGISTRY"

	run cridctl pull "$REGISTRY/nothing-here:latest"
	[ "$status" -eq 1 ]
	[[ "$output" == *"pull image \"$REGISTRY/nothing-here:latest\""* ]]
	[[ "$output" == *": rpc error: code = NotFound desc = "* ]]

	run cridctl pull "Not A Reference"
	[ "$status" -eq 1 ]
	[[ "$output" == *": rpc error: code = InvalidArgument desc = "* ]]

	run cridctl images -q
	[ -z "$output" ]
}

@test "crid: pulls run in crid-pull; crid itself maps neither libcurl nor libarchive" {
	start_crid_with_busybox
	run cridctl pull "$REGISTRY/busybox:latest"
	[ "$status" -eq 0 ]
	# The helper is gone once the pull answered; the daemon never loaded the fetch side.
	! grep -E 'lib(curl|archive)\.so' "/proc/$CRID_PID/maps" || false
	[ -z "$(pgrep -P "$CRID_PID" -f crid-pull)" ]
	# And the helper's own libraries are those.
	ldd "$CRID_LIBEXEC/crid-pull" | grep -q libcurl
	ldd "$CRID_LIBEXEC/crid-pull" | grep -q libarchive
}

@test "crid: a pull helper that cannot run fails the pull naming it, and crid carries on" {
	start_crid_with_busybox --pull-helper "$T/no-such-crid-pull"
	run cridctl pull "$REGISTRY/busybox:latest"
	[ "$status" -eq 1 ]
	[[ "$output" == *"start the pull helper: run $T/no-such-crid-pull: No such file or directory"* ]]
	# A helper that dies without an answer is an error too, not a hang.
	printf '#!/bin/sh\nkill -KILL $$\n' >"$T/dying-pull"
	chmod +x "$T/dying-pull"
	stop_crid
	start_crid --insecure-registry "$REGISTRY" --pull-helper "$T/dying-pull"
	run cridctl pull "$REGISTRY/busybox:latest"
	[ "$status" -eq 1 ]
	[[ "$output" == *"pull helper $T/dying-pull was killed by signal 9 without an answer"* ]]
	run cridctl version
	[ "$status" -eq 0 ]
	run cridctl images -q
	[ -z "$output" ]
}

@test "crid-pull: a bad request on stdin is refused naming what is wrong" {
	run "$CRID_LIBEXEC/crid-pull" <<<'{"op": "push", "options": {}}'
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.error.message == "fetch request: unknown op \"push\""'
	run "$CRID_LIBEXEC/crid-pull" <<<'not json'
	[ "$status" -eq 1 ]
	echo "$output" | jq -e '.error.message | startswith("fetch request: ")'
	run "$CRID_LIBEXEC/crid-pull" --bogus
	[ "$status" -eq 2 ]
	[[ "$output" == "usage: "* ]]
}

@test "crid: an image acknowledged by a pull survives SIGKILL and restart" {
	start_crid_with_busybox
	run cridctl pull "$REGISTRY/busybox:latest"
	[ "$status" -eq 0 ]
	local id="${output##* }"
	kill -KILL "$CRID_PID"
	wait "$CRID_PID" || true

	start_crid --insecure-registry "$REGISTRY"
	run cridctl images -q
	[ "$status" -eq 0 ]
	[ "$output" = "$id" ]
	run cridctl inspecti "$REGISTRY/busybox:latest"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.info.info.layers | length == 1'
}
