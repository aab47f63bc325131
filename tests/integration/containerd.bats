#!/usr/bin/env bats
# containerd (Debian's 1.6) running containers with berth as the runc binary of
# its io.containerd.runc.v2 shim. The file starts its own containerd with a
# private root, state dir, socket and config, imports a busybox image it builds
# (umoci + skopeo, no registry), and drives it with ctr.

load helpers
load registry

CTRD_NS=berth-test

setup_file() {
	command -v containerd >/dev/null || skip "containerd not installed (Debian: apt-get install containerd)"
	command -v containerd-shim-runc-v2 >/dev/null || skip "containerd-shim-runc-v2 not installed"
	# The shim runs the runtime by path; a relative BERTH would be looked up in the shim's cwd.
	BERTH_ABS="$(command -v "$BERTH")"
	export BERTH_ABS
	CTRD_DIR=$(mktemp -d /tmp/berth-ctrd.XXXXXX)
	# containerd 1.6 keeps shim sockets and fifos under /run/containerd whatever
	# its config says: remove that directory afterwards only if it was ours.
	CTRD_MADE_RUN=
	[ -e /run/containerd ] || CTRD_MADE_RUN=1
	export CTRD_MADE_RUN
	export CTRD_DIR CTRD_SOCK="$CTRD_DIR/c.sock"
	mkdir -p "$CTRD_DIR/root" "$CTRD_DIR/state" "$CTRD_DIR/runc"
	# BinaryName under the CRI plugin is what kubelet-driven containers use; ctr
	# passes the same through --runc-binary, since the CRI plugin is disabled here
	# (it would want CNI and a sandbox image).
	cat >"$CTRD_DIR/config.toml" <<-TOML
		version = 2
		root = "$CTRD_DIR/root"
		state = "$CTRD_DIR/state"
		disabled_plugins = ["io.containerd.grpc.v1.cri"]
		[grpc]
		  address = "$CTRD_SOCK"
		[ttrpc]
		  address = "$CTRD_SOCK.ttrpc"
		[debug]
		  level = "info"
		[plugins."io.containerd.grpc.v1.cri".containerd]
		  snapshotter = "overlayfs"
		[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
		  runtime_type = "io.containerd.runc.v2"
		[plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
		  BinaryName = "$BERTH_ABS"
	TOML
	containerd --config "$CTRD_DIR/config.toml" >"$CTRD_DIR/containerd.log" 2>&1 &
	CTRD_PID=$!
	export CTRD_PID
	local i
	for ((i = 0; i < 100; i++)); do
		ctr --address "$CTRD_SOCK" version >/dev/null 2>&1 && break
		sleep 0.1
	done
	ctr --address "$CTRD_SOCK" version >/dev/null || {
		cat "$CTRD_DIR/containerd.log" >&2
		return 1
	}

	build_busybox_layout "$CTRD_DIR/oci" latest
	skopeo copy -q "oci:$CTRD_DIR/oci:latest" "docker-archive:$CTRD_DIR/busybox.tar:berth-test/busybox:latest"
	ctrd image import "$CTRD_DIR/busybox.tar"
	export IMAGE=docker.io/berth-test/busybox:latest
	ctrd image ls -q | grep -qxF "$IMAGE"
}

teardown_file() {
	[ -n "${CTRD_DIR:-}" ] || return 0
	if [ -n "${CTRD_PID:-}" ]; then
		# Whatever a failed test left: tasks first (their shims exit with them).
		local c
		for c in $(ctrd container ls -q 2>/dev/null); do
			ctrd task kill -s SIGKILL "$c" >/dev/null 2>&1
			ctrd task delete -f "$c" >/dev/null 2>&1
			ctrd container delete "$c" >/dev/null 2>&1
		done
		kill "$CTRD_PID" 2>/dev/null
		for _ in $(seq 100); do kill -0 "$CTRD_PID" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$CTRD_PID" 2>/dev/null
	fi
	local m
	for m in $(awk -v p="$CTRD_DIR" 'index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r); do
		umount -l "$m" 2>/dev/null
	done
	rm -rf "$CTRD_DIR"
	if [ -n "${CTRD_MADE_RUN:-}" ]; then
		rmdir /run/containerd/s /run/containerd/fifo /run/containerd 2>/dev/null || true
	fi
}

ctrd() {
	ctr --address "$CTRD_SOCK" --namespace "$CTRD_NS" "$@"
}

# Every ctr run goes through the runc v2 shim with berth as its runtime, and a
# state root of berth's under the test's containerd directory.
ctrd_run() {
	ctrd run --runc-binary "$BERTH_ABS" --runc-root "$CTRD_DIR/runc" "$@"
}

@test "containerd: ctr run --rm prints the container's output" {
	run ctrd_run --rm "$IMAGE" "$CID" echo hi
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	# --rm removed the container, and berth holds no state for it.
	run ctrd container ls -q
	[[ "$output" != *"$CID"* ]]
	[ ! -e "$CTRD_DIR/runc/$CTRD_NS/$CID" ]
}

@test "containerd: detached task, exec, kill, delete" {
	ctrd_run -d "$IMAGE" "$CID" sleep 1000
	# The task's init runs berth's container: berth's state says so.
	run "$BERTH_ABS" --root "$CTRD_DIR/runc/$CTRD_NS" state "$CID"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | jq -r .status)" = running ]
	initpid="$(echo "$output" | jq -r .pid)"

	run ctrd task exec --exec-id x1 "$CID" sh -c 'echo from-exec $(cat /proc/1/comm)'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "from-exec sleep" ]

	# The exec'd process shares the init's pid namespace (it saw sleep as pid 1).
	run ctrd task exec --exec-id x2 "$CID" sh -c 'exit 7'
	[ "$status" -eq 7 ]

	run ctrd task ls
	echo "$output"
	[[ "$output" == *"$CID"*RUNNING* ]]

	ctrd task kill -s SIGKILL "$CID"
	for _ in $(seq 50); do
		ctrd task ls | grep -q "$CID.*STOPPED" && break
		sleep 0.1
	done
	ctrd task ls | grep -q "$CID.*STOPPED"
	ctrd task delete "$CID"
	ctrd container delete "$CID"
	! kill -0 "$initpid" 2>/dev/null || false
	[ ! -e "$CTRD_DIR/runc/$CTRD_NS/$CID" ]
	run ctrd container ls -q
	[[ "$output" != *"$CID"* ]]
}
