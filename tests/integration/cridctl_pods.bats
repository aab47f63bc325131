#!/usr/bin/env bats
# cridctl's pod and container commands on their error paths: config files
# (missing, bad JSON, missing metadata, YAML), flags, usage errors, and crid's
# gRPC errors (NotFound, InvalidArgument, AlreadyExists, FailedPrecondition)
# printed the way crictl prints them ("rpc error: code = ... desc = ...").
# The lifecycle through these commands is tested with crid's pods
# (crid_cridctl.bats, crid_pods.bats, crid_containers.bats).
#
# CRID, CRIDCTL  binaries under test (default: beside $BERTH when that is a
#                path, else /usr/local/bin)

if [[ "${BERTH:-}" == */* ]]; then
	CRID_BIN_DIR="$(dirname "$BERTH")"
else
	CRID_BIN_DIR=/usr/local/bin
fi
CRID="${CRID:-$CRID_BIN_DIR/crid}"
CRIDCTL="${CRIDCTL:-$CRID_BIN_DIR/cridctl}"

setup() {
	if ! [ -x "$CRID" ] || ! [ -x "$CRIDCTL" ]; then
		skip "crid or cridctl not installed at $CRID_BIN_DIR (configure builds them only when gRPC, protobuf, SQLite and toml++ are found)"
	fi
	T="$BATS_TEST_TMPDIR"
	SOCK="$T/crid.sock"
	ENDPOINT="unix://$SOCK"
	CRID_PID=
	cat >"$T/pod.json" <<-'JSON'
		{"metadata": {"name": "web", "namespace": "default", "uid": "u1"}, "log_directory": "/tmp"}
	JSON
	cat >"$T/ctr.json" <<-'JSON'
		{"metadata": {"name": "sh"}, "image": {"image": "busybox"}, "command": ["sleep", "60"]}
	JSON
}

teardown() {
	local id
	if [ -n "$CRID_PID" ]; then
		for id in $("$CRIDCTL" -r "$ENDPOINT" pods -q 2>/dev/null); do
			"$CRIDCTL" -r "$ENDPOINT" stopp "$id" >/dev/null 2>&1 || true
			"$CRIDCTL" -r "$ENDPOINT" rmp "$id" >/dev/null 2>&1 || true
		done
		kill -KILL "$CRID_PID" 2>/dev/null || true
		wait "$CRID_PID" 2>/dev/null || true
	fi
	if [ -n "${CRID_CGROUP_PARENT:-}" ]; then
		local dir
		for dir in /sys/fs/cgroup/*"$CRID_CGROUP_PARENT"; do
			[ -d "$dir" ] && rmdir "$dir" 2>/dev/null || true
		done
	fi
	return 0
}

start_crid() {
	"$CRID" --root "$T/root" --state "$T/state" --listen "$ENDPOINT" "$@" >>"$T/crid.log" 2>&1 &
	CRID_PID=$!
	local i
	for i in $(seq 100); do
		if [ -S "$SOCK" ] && "$CRIDCTL" -r "$ENDPOINT" -t 1 version >/dev/null 2>&1; then
			return 0
		fi
		if ! kill -0 "$CRID_PID" 2>/dev/null; then
			cat "$T/crid.log" >&2
			return 1
		fi
		sleep 0.1
	done
	cat "$T/crid.log" >&2
	return 1
}

cridctl() {
	"$CRIDCTL" -r "$ENDPOINT" "$@"
}

# crid that can run pod sandboxes (no image is needed for the pods here):
# the runtime, monitor and infra binaries installed beside cridctl.
start_crid_for_pods() {
	local libexec
	libexec="$(cd "$CRID_BIN_DIR/.." && pwd)/libexec/crid"
	if ! [ -x "$libexec/crid-pause" ] || ! [ -x "$CRID_BIN_DIR/berth" ]; then
		skip "berth or crid-pause not installed beside $CRIDCTL"
	fi
	CRID_CGROUP_PARENT="/cridctl-test-$$-${BATS_TEST_NUMBER}"
	# Loopback only, never the host's /etc/cni/net.d networks.
	mkdir -p "$T/cni-loopback"
	echo '{"cniVersion": "1.0.0", "name": "cridctl-test-loopback", "plugins": [{"type": "loopback"}]}' \
		>"$T/cni-loopback/10-loopback.conflist"
	start_crid --cni-config-dir "$T/cni-loopback" --runtime "${CRID_TEST_RUNTIME:-$CRID_BIN_DIR/berth}" --monitor-path "$libexec/crid-monitor" \
		--infra-binary "$libexec/crid-pause" --pull-helper "$libexec/crid-pull" --cgroup-parent "$CRID_CGROUP_PARENT"
}

@test "cridctl: a missing config file is named with errno's text" {
	run cridctl runp "$T/nothing.json"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: runp: load pod config: open $T/nothing.json: No such file or directory" ]

	run cridctl create 0123 "$T/nothing.json" "$T/pod.json"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: create: load container config: open $T/nothing.json: No such file or directory" ]

	run cridctl create 0123 "$T/ctr.json" "$T/nothing.json"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: create: load pod config: open $T/nothing.json: No such file or directory" ]
}

@test "cridctl: bad JSON names the file and the parser's reason on one line" {
	printf '{"metadata": {"name": "web",}\n' >"$T/bad.json"
	run cridctl runp "$T/bad.json"
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == "cridctl: runp: load pod config: $T/bad.json: "?* ]]

	# A misspelt field is an error too, naming the field.
	printf '{"metadata": {"name": "web", "namespace": "d"}, "hostnam": "x"}\n' >"$T/typo.json"
	run cridctl runp "$T/typo.json"
	[ "$status" -eq 1 ]
	[[ "$output" == "cridctl: runp: load pod config: $T/typo.json: "*hostnam* ]]

	# Wrong value types too.
	printf '{"metadata": {"name": "sh", "attempt": "many"}}\n' >"$T/type.json"
	run cridctl create 0123 "$T/type.json" "$T/pod.json"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: create: load container config: $T/type.json: (metadata.attempt): invalid value \"many\" for type TYPE_UINT32" ]
}

@test "cridctl: configs without the metadata crictl requires are refused" {
	echo '{}' >"$T/empty.json"
	run cridctl runp "$T/empty.json"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: runp: load pod config: $T/empty.json: metadata is not set" ]

	echo '{"metadata": {"name": "web"}}' >"$T/nons.json"
	run cridctl runp "$T/nons.json"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: runp: load pod config: $T/nons.json: metadata.namespace is not set" ]

	echo '{"metadata": {}, "image": {"image": "busybox"}}' >"$T/noname.json"
	run cridctl create 0123 "$T/noname.json" "$T/pod.json"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: create: load container config: $T/noname.json: metadata.name is not set" ]

	printf 'metadata:\n  name: web\n  namespace: default\n' >"$T/pod.yaml"
	run cridctl runp "$T/pod.yaml"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: runp: load pod config: $T/pod.yaml: not a JSON object (cridctl reads configs as JSON; YAML is not supported)" ]
}

@test "cridctl: unknown flags, commands and bad flag values" {
	run cridctl pods --bogus
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: pods: unknown flag --bogus (see cridctl --help)" ]

	run cridctl ps -Z
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: ps: unknown flag -Z (see cridctl --help)" ]

	run cridctl frobnicate
	[ "$status" -eq 1 ]
	[ "$output" = 'cridctl: unknown command "frobnicate" (see cridctl --help)' ]

	run cridctl pods -o xml
	[ "$status" -eq 1 ]
	[ "$output" = 'cridctl: pods: unsupported output format "xml" (one of json|name|table|yaml)' ]

	run cridctl inspect -o name 0123
	[ "$status" -eq 1 ]
	[ "$output" = 'cridctl: inspect: unsupported output format "name" (one of json|table|yaml)' ]

	run cridctl pods --label novalue
	[ "$status" -eq 1 ]
	[ "$output" = 'cridctl: pods: incorrectly specified label: novalue (expected key=value)' ]

	run cridctl logs --tail ten 0123
	[ "$status" -eq 1 ]
	[ "$output" = 'cridctl: logs: --tail: expected an integer, got "ten"' ]

	run cridctl stop -t
	[ "$status" -eq 1 ]
	[ "$output" = 'cridctl: stop: flag -t needs a value (see cridctl --help)' ]

	run cridctl update --memory lots 0123
	[ "$status" -eq 1 ]
	[ "$output" = 'cridctl: update: --memory: expected bytes (e.g. 67108864 or 64m), got "lots"' ]
}

@test "cridctl: missing arguments are usage errors" {
	run cridctl exec 0123
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: exec: expected CONTAINER-ID COMMAND [ARG...]" ]
	run cridctl exec -it 0123
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: exec: expected CONTAINER-ID COMMAND [ARG...]" ]
	run cridctl exec -s -i 0123 sh
	[ "$status" -eq 1 ]
	[[ "$output" == "cridctl: exec: -s cannot go with -i or -t"* ]]
	run cridctl logs
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: logs: expected exactly one CONTAINER-ID" ]
	run cridctl create 0123 "$T/ctr.json"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: create: expected POD-ID CONTAINER.json POD.json" ]
	run cridctl stopp
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: stopp: expected at least one POD-ID" ]
	run cridctl stop
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: stop: you must specify at least one CONTAINER-ID or use --all" ]
}

@test "cridctl: --help lists every pod and container command" {
	run "$CRIDCTL" --help
	[ "$status" -eq 0 ]
	local c
	for c in runp pods inspectp stopp rmp create start ps inspect stop rm logs exec stats statsp update; do
		echo "$output" | grep -qE "^  $c( |,)" || { echo "missing: $c"; return 1; }
	done
	run "$CRIDCTL" logs --help
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == "Usage: cridctl logs [-f] [--tail N] [-t]"* ]]
}

@test "cridctl: unknown ids answer NotFound, printed like crictl's, naming the id" {
	start_crid
	local id
	id=$(printf '%064d' 0)
	# A full id needs no listing: the call itself answers.
	run cridctl inspectp "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == "cridctl: get the status of pod sandbox \"$id\": rpc error: code = NotFound desc = "*"$id"* ]]
	run cridctl inspect "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rpc error: code = NotFound desc = "*"$id"* ]]
	run cridctl start "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rpc error: code = NotFound desc = "*"$id"* ]]
	run cridctl stop "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rpc error: code = NotFound desc = "*"$id"* ]]
	run cridctl stopp "$id"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rpc error: code = NotFound desc = "*"$id"* ]]
	run cridctl exec "$id" true
	[ "$status" -eq 1 ]
	[[ "$output" == "cridctl: exec in container \"$id\": rpc error: code = NotFound desc = "*"$id"* ]]
	# A prefix matching nothing is found missing by cridctl's own listing.
	run cridctl stop 0123
	[ "$status" -eq 1 ]
	[[ "$output" == *0123* ]]
	# Creating in a pod that does not exist.
	run cridctl create "$id" "$T/ctr.json" "$T/pod.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rpc error: code = NotFound desc = "*"$id"* ]]
}

@test "cridctl: bad requests answer InvalidArgument naming the field" {
	start_crid
	# cridctl checks name and namespace itself (and fills in a missing uid); the rest is crid's to refuse.
	jq '.metadata.name = "a/b"' "$T/pod.json" >"$T/slash.json"
	run cridctl runp "$T/slash.json"
	[ "$status" -eq 1 ]
	[[ "$output" == "cridctl: run pod sandbox: rpc error: code = InvalidArgument desc = "*'"a/b"'*"'/'"* ]]

	run cridctl runp -r nosuchhandler "$T/pod.json"
	[ "$status" -eq 1 ]
	[[ "$output" == "cridctl: run pod sandbox: rpc error: code = InvalidArgument desc = "*'"nosuchhandler"'* ]]

	# Nothing was made by the refused requests.
	run cridctl pods -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "cridctl: a duplicate pod name answers AlreadyExists; creating in a stopped pod FailedPrecondition" {
	start_crid_for_pods
	local pod
	pod=$(cridctl runp "$T/pod.json")
	[ -n "$pod" ]
	run cridctl runp "$T/pod.json"
	[ "$status" -eq 1 ]
	[[ "$output" == "cridctl: run pod sandbox: rpc error: code = AlreadyExists desc = "*"$pod"* ]]
	# Another attempt of the same pod is another name.
	jq '.metadata.attempt = 1' "$T/pod.json" >"$T/pod1.json"
	local pod1
	pod1=$(cridctl runp "$T/pod1.json")
	[ -n "$pod1" ] && [ "$pod1" != "$pod" ]

	# A container config without an image, in a pod that exists.
	jq 'del(.image)' "$T/ctr.json" >"$T/noimage.json"
	run cridctl create "$pod" "$T/noimage.json" "$T/pod.json"
	[ "$status" -eq 1 ]
	[[ "$output" == *"rpc error: code = InvalidArgument desc = container config: image.image: required" ]]

	cridctl stopp "$pod" >/dev/null
	run cridctl create "$pod" "$T/ctr.json" "$T/pod.json"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: create container in pod \"$pod\": rpc error: code = FailedPrecondition desc = create container \"sh\" in pod sandbox $pod: the pod sandbox is not ready" ]

	run cridctl inspectp -o json "$pod"
	[ "$status" -eq 0 ]
	[ "$(jq -r .status.state <<<"$output")" = SANDBOX_NOTREADY ]
	cridctl rmp -f "$pod" "$pod1" >/dev/null
	run cridctl pods -q
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "cridctl: the image commands keep working after the split" {
	start_crid
	run cridctl images
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^IMAGE\ +TAG\ +IMAGE\ ID\ +SIZE$ ]]
	run cridctl images -o yaml
	[ "$status" -eq 0 ]
	[ "$output" = "images: []" ]
	run cridctl info -o yaml
	[ "$status" -eq 0 ]
	echo "$output" | grep -qx 'status:'
	run cridctl inspecti nothing:here
	[ "$status" -eq 1 ]
	[ "$output" = 'cridctl: no such image "nothing:here" present' ]
}
