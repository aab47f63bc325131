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
	save_file_registry
}

teardown_file() { stop_file_registry; }

setup() {
	load_file_registry
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
	run env BERTH_TEST_REGISTRY="$REGISTRY" "$bin" --gtest_filter='ImagesRegistry.*-*AnonymousRefusedWhenAuthRequired'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *SKIPPED* ]]
}

@test "stop_registry leaves nothing behind" {
	local dir=$REGISTRY_DIR pid=$REGISTRY_PID
	( stop_registry )
	! kill -0 "$pid" 2>/dev/null || false
	[ ! -e "$dir" ]
	# Start a fresh one for teardown_file to stop, and check a second push works.
	start_registry
	push_busybox_image v2
	save_file_registry
	run manifest_type v2 application/vnd.oci.image.manifest.v1+json
	[ "$status" -eq 0 ]
}

@test "a registry with htpasswd auth: pushes with REGISTRY_CREDS, pulls need them" {
	local bin=${IMAGES_UNIT_TESTS:-${BERTH_BUILD_DIR:-/nonexistent}/images_unit_tests}
	(
		start_registry --htpasswd alice:s3cret
		trap stop_registry EXIT
		push_busybox_image latest
		[ "$(curl -s -o /dev/null -w '%{http_code}' "http://$REGISTRY/v2/busybox/manifests/latest")" = 401 ]
		if [ -x "$bin" ]; then
			BERTH_TEST_REGISTRY=$REGISTRY BERTH_TEST_REGISTRY_AUTH=$REGISTRY_CREDS "$bin" --gtest_filter='ImagesRegistry.*' >"$BATS_TEST_TMPDIR/out" 2>&1 ||
				{ cat "$BATS_TEST_TMPDIR/out"; exit 1; }
			! grep -q SKIPPED "$BATS_TEST_TMPDIR/out" || false
		fi
	)
}

@test "push_layers_image pushes raw layers as given, tamper_blob breaks one" {
	local w=$BATS_TEST_TMPDIR
	mkdir -p "$w/l1/etc" "$w/l2/etc"
	echo a >"$w/l1/etc/a"
	touch "$w/l2/etc/.wh.a" "$w/l2/etc/.wh..wh..opq"
	tar -C "$w/l1" -cf - . | zstd -q >"$w/l1.tar.zst"
	tar -C "$w/l2" -czf "$w/l2.tar.gz" .
	tar -C "$w/l1" -cf "$w/evil.tar" --transform 's,^\./etc/a,../escape,' ./etc/a
	run push_layers_image layered:v1 "$w/l1.tar.zst" "$w/l2.tar.gz" "$w/evil.tar"
	[ "$status" -eq 0 ]
	[[ "$output" == sha256:* ]]
	run curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY/v2/layered/manifests/v1"
	[ "$status" -eq 0 ]
	[[ "$output" == *tar+zstd* && "$output" == *tar+gzip* ]]
	tar -tvf "$w/evil.tar" | grep -q '\.\./escape'
	local d
	d=sha256:$(sha256sum <"$w/l2.tar.gz" | cut -d' ' -f1)
	tamper_blob "$d"
	run curl -fsS "http://$REGISTRY/v2/layered/blobs/$d"
	[ "$output" = "tampered by a test" ]
}
