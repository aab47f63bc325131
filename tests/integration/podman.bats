#!/usr/bin/env bats
# podman driving the runtime through the runc command-line contract.
#
# The image is imported from the busybox rootfs (no registry, no network);
# podman's storage, run root and the runtime's state live in a directory of
# this file's own, so nothing is shared with the host's podman.

load helpers

IMAGE=localhost/berth-busybox:test

podman_() {
	podman --root "$PODMAN_DIR/storage" --runroot "$PODMAN_DIR/run" \
		--tmpdir "$PODMAN_DIR/tmp" --storage-driver vfs \
		--cgroup-manager cgroupfs --events-backend file "$@"
}

# podman's default nofile limit is above this host's hard limit, which no
# runtime may raise without CAP_SYS_RESOURCE.
podman_run() {
	podman_ --runtime "$RUNTIME_PATH" run --rm --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$@"
}

setup_file() {
	command -v podman >/dev/null || return 0
	export PODMAN_DIR="$BATS_FILE_TMPDIR/podman"
	mkdir -p "$PODMAN_DIR/tmp"
	local bundle="$BATS_FILE_TMPDIR/image-bundle"
	BERTH=/nonexistent "$MAKE_BUNDLE" "$bundle" >/dev/null
	tar -C "$bundle/rootfs" -cf "$BATS_FILE_TMPDIR/rootfs.tar" .
	podman_ import "$BATS_FILE_TMPDIR/rootfs.tar" "$IMAGE" >/dev/null
}

teardown_file() {
	command -v podman >/dev/null || return 0
	podman_ rm -a -f >/dev/null 2>&1 || true
	podman_ system reset -f >/dev/null 2>&1 || true
	rm -rf "$PODMAN_DIR"
}

setup_podman() {
	command -v podman >/dev/null || skip "podman not installed (Debian: apt-get install podman)"
	RUNTIME_PATH="$(command -v "$BERTH")"
}

@test "podman run prints the container's output" {
	setup_podman
	run podman_run "$IMAGE" echo hi
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
}

@test "podman run returns the container's exit status" {
	setup_podman
	run podman_run "$IMAGE" sh -c 'exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
}

@test "podman run passes env, workdir and user" {
	setup_podman
	run podman_run -e FOO=bar -w /tmp --user 1000:1000 "$IMAGE" sh -c 'echo "$FOO $(pwd) $(id -u):$(id -g)"'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "bar /tmp 1000:1000" ]
}

@test "podman run -d, ps, stop and rm" {
	setup_podman
	run podman_ --runtime "$RUNTIME_PATH" run -d --name "$CID" --network none \
		--ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$IMAGE" sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	run podman_ --runtime "$RUNTIME_PATH" ps --format '{{.Names}} {{.Status}}'
	[[ "$output" == *"$CID Up"* ]]
	run podman_ --runtime "$RUNTIME_PATH" stop -t 1 "$CID"
	[ "$status" -eq 0 ]
	run podman_ --runtime "$RUNTIME_PATH" rm "$CID"
	[ "$status" -eq 0 ]
	run podman_ --runtime "$RUNTIME_PATH" ps -a -q
	[ -z "$output" ]
}
