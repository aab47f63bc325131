#!/usr/bin/env bats
# registry.bash itself (a private docker-registry with a busybox image pushed in
# three forms), and images/ pulling from it through images_unit_tests when that
# binary is at hand (IMAGES_UNIT_TESTS, or a build dir in BERTH_BUILD_DIR).
# No berth runtime is involved, so helpers.bash is not loaded.

load registry

setup_file() {
	for tool in docker-registry skopeo umoci curl; do
		command -v "$tool" >/dev/null || skip "$tool is not installed"
	done
	start_registry
	push_busybox_image latest
	echo "$REGISTRY_PID $REGISTRY_DIR $REGISTRY" >"$BATS_FILE_TMPDIR/registry"
}

teardown_file() {
	[ -f "$BATS_FILE_TMPDIR/registry" ] || return 0
	read -r REGISTRY_PID REGISTRY_DIR REGISTRY <"$BATS_FILE_TMPDIR/registry"
	stop_registry
}

setup() {
	read -r REGISTRY_PID REGISTRY_DIR REGISTRY <"$BATS_FILE_TMPDIR/registry"
}

manifest_type() {
	curl -fsS -o /dev/null -w '%{content_type}' -H "Accept: $2" "http://$REGISTRY/v2/busybox/manifests/$1"
}

@test "registry.bash pushes busybox as OCI, Docker schema2 and an OCI index" {
	run manifest_type latest application/vnd.oci.image.manifest.v1+json
	[ "$status" -eq 0 ]
	[ "$output" = application/vnd.oci.image.manifest.v1+json ]
	run manifest_type latest-v2s2 application/vnd.docker.distribution.manifest.v2+json
	[ "$status" -eq 0 ]
	[ "$output" = application/vnd.docker.distribution.manifest.v2+json ]
	run manifest_type latest-index application/vnd.oci.image.index.v1+json
	[ "$status" -eq 0 ]
	[ "$output" = application/vnd.oci.image.index.v1+json ]
}

@test "images/ pulls, unpacks and removes the pushed images" {
	local bin=${IMAGES_UNIT_TESTS:-${BERTH_BUILD_DIR:-/nonexistent}/images_unit_tests}
	[ -x "$bin" ] || skip "images_unit_tests not found (set IMAGES_UNIT_TESTS or BERTH_BUILD_DIR)"
	run env BERTH_TEST_REGISTRY="$REGISTRY" "$bin" --gtest_filter='ImagesRegistry.*'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *SKIPPED* ]]
}

@test "stop_registry leaves nothing behind" {
	local dir=$REGISTRY_DIR pid=$REGISTRY_PID
	( stop_registry )
	! kill -0 "$pid" 2>/dev/null
	[ ! -e "$dir" ]
	# Start a fresh one for teardown_file to stop, and check a second push works.
	start_registry
	push_busybox_image v2
	echo "$REGISTRY_PID $REGISTRY_DIR $REGISTRY" >"$BATS_FILE_TMPDIR/registry"
	run manifest_type v2 application/vnd.oci.image.manifest.v1+json
	[ "$status" -eq 0 ]
}
