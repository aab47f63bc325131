#!/usr/bin/env bats
# CRI ImageService through crid (cri_client.py and cridctl), against a private
# docker-registry on 127.0.0.1 with images this file builds: layer formats,
# whiteouts, platform selection, tampered and malicious layers, basic and
# Bearer token auth, mirrors, shared downloads, what RemoveImage and
# ImageFsInfo do to the store on disk, every RPC's reply field by field, and
# cridctl's pull progress, image commands and endpoint flags.
# (crid.bats has the basic pull/list/inspect/remove round; crid_faults.bats
# the pulls interrupted by a crash or a dropped connection.)

load crid_helpers

setup_file() {
	for tool in docker-registry skopeo umoci curl zstd jq; do
		command -v "$tool" >/dev/null || return 0
	done
	crid_setup_file
	save_file_registry
}

teardown_file() { stop_file_registry; }

setup() {
	for tool in docker-registry skopeo umoci curl zstd jq; do
		command -v "$tool" >/dev/null || skip "$tool is not installed (Debian: apt-get install $tool)"
	done
	crid_setup
	load_file_registry
	export BUSYBOX="$REGISTRY/busybox:latest"
	STORE="$T/root/images"
	EXTRA_PIDS=()
	EXTRA_DIRS=()
}

teardown() {
	local pid
	for pid in "${EXTRA_PIDS[@]}"; do
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done
	for d in "${EXTRA_DIRS[@]}"; do rm -rf "$d"; done
	crid_teardown
}

# A second registry for this test only (with --htpasswd when given), without
# disturbing the file's: sets REG2 (host:port) and REG2_CREDS.
start_registry2() {
	local keep_pid=$REGISTRY_PID keep_dir=$REGISTRY_DIR keep=$REGISTRY keep_port=$REGISTRY_PORT
	start_registry "$@" || return 1
	REG2=$REGISTRY REG2_CREDS=$REGISTRY_CREDS REG2_DIR=$REGISTRY_DIR
	EXTRA_PIDS+=("$REGISTRY_PID")
	EXTRA_DIRS+=("$REGISTRY_DIR")
	REGISTRY_PID=$keep_pid REGISTRY_DIR=$keep_dir REGISTRY=$keep REGISTRY_PORT=$keep_port REGISTRY_CREDS=
}

# token_auth_proxy.py in front of $REGISTRY: sets TOKREG (host:port), TOKLOG.
start_token_proxy() {
	local port
	port=$(registry_free_port)
	TOKREG=127.0.0.1:$port
	TOKLOG="$T/token-proxy.log"
	/usr/bin/python3 "$BATS_TEST_DIRNAME/token_auth_proxy.py" "$port" "$REGISTRY" "$TOKLOG" "$@" 2>"$T/token-proxy.err" &
	EXTRA_PIDS+=("$!")
	for _ in $(seq 50); do
		curl -s -o /dev/null "http://$TOKREG/v2/" && return 0
		sleep 0.1
	done
	echo "token_auth_proxy did not come up: $(cat "$T/token-proxy.err")" >&2
	return 1
}

pull() { # pull REF [AUTH_JSON]
	cri ImageService/PullImage "{\"image\": {\"image\": \"$1\"}${2:+, \"auth\": $2}}"
}

hex() { sha256sum | cut -d' ' -f1; }

# Layer files in $T/l/: base.tar.gz (etc/a, etc/b, d/x, d/sub/y) and
# over.tar.zst (a whiteout of etc/a, d made opaque, d/z new).
make_whiteout_layers() {
	local w=$T/l
	mkdir -p "$w/base/etc" "$w/base/d/sub" "$w/over/etc" "$w/over/d"
	echo a >"$w/base/etc/a"
	echo b >"$w/base/etc/b"
	echo x >"$w/base/d/x"
	echo y >"$w/base/d/sub/y"
	touch "$w/over/etc/.wh.a" "$w/over/d/.wh..wh..opq"
	echo z >"$w/over/d/z"
	tar -C "$w/base" -czf "$w/base.tar.gz" .
	tar -C "$w/over" -cf - . | zstd -q >"$w/over.tar.zst"
}

@test "crid images: a gzip and a zstd layer unpack; whiteouts and opaque dirs become overlay's in the layer dirs" {
	start_crid
	make_whiteout_layers
	push_layers_image "wh:v1" "$T/l/base.tar.gz" "$T/l/over.tar.zst" >/dev/null
	run pull "$REGISTRY/wh:v1"
	[ "$status" -eq 0 ]
	local base over
	base=$STORE/layers/$(gzip -dc <"$T/l/base.tar.gz" | hex)
	over=$STORE/layers/$(zstd -dc <"$T/l/over.tar.zst" | hex)
	[ "$(cat "$base/etc/a")" = a ] && [ "$(cat "$base/d/sub/y")" = y ]
	# The whiteout is a 0:0 character device, as overlayfs wants it.
	[ "$(stat -c '%F %t:%T' "$over/etc/a")" = "character special file 0:0" ]
	[ ! -e "$over/etc/.wh.a" ] && [ ! -e "$over/d/.wh..wh..opq" ]
	[ "$(/usr/bin/python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "trusted.overlay.opaque").decode())' "$over/d")" = y ]
	[ "$(cat "$over/d/z")" = z ]
	[ ! -e "$over/d/x" ]
	info=$(cri ImageService/ImageStatus "{\"image\": {\"image\": \"$REGISTRY/wh:v1\"}, \"verbose\": true}")
	echo "$info" | jq -e '.info.info | fromjson | [.layers[].mediaType] == ["application/vnd.oci.image.layer.v1.tar+gzip", "application/vnd.oci.image.layer.v1.tar+zstd"]'
}

@test "crid images: a multi-arch index picks linux/amd64 from entries that differ" {
	start_crid
	mkdir -p "$T/amd" "$T/arm"
	echo amd64 >"$T/amd/which"
	echo arm64 >"$T/arm/which"
	tar -C "$T/amd" -czf "$T/amd.tar.gz" .
	tar -C "$T/arm" -czf "$T/arm.tar.gz" .
	local amd arm mt=application/vnd.oci.image.manifest.v1+json
	amd=$(push_layers_image "multi:amd" "$T/amd.tar.gz")
	arm=$(push_layers_image "multi:arm" "$T/arm.tar.gz")
	size() { curl -fsS -H "Accept: $mt" "http://$REGISTRY/v2/multi/manifests/$1" | wc -c; }
	cat >"$T/index.json" <<-JSON
		{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
		{"mediaType":"$mt","digest":"$arm","size":$(size arm),"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
		{"mediaType":"$mt","digest":"$amd","size":$(size amd),"platform":{"os":"linux","architecture":"amd64"}},
		{"mediaType":"$mt","digest":"$arm","size":$(size arm),"platform":{"os":"windows","architecture":"amd64"}}]}
	JSON
	curl -fsS -X PUT -H "Content-Type: application/vnd.oci.image.index.v1+json" \
		--data-binary "@$T/index.json" "http://$REGISTRY/v2/multi/manifests/index" >/dev/null
	local index=sha256:$(hex <"$T/index.json")
	run pull "$REGISTRY/multi:index"
	[ "$status" -eq 0 ]
	id=$(echo "$output" | jq -r .imageRef)
	st=$(cri ImageService/ImageStatus "{\"image\": {\"image\": \"$id\"}, \"verbose\": true}")
	echo "$st" | jq -e --arg m "$amd" --arg i "$index" '.info.info | fromjson | .manifestDigest == $m and .indexDigest == $i'
	echo "$st" | jq -e --arg d "$REGISTRY/multi@$index" '.image.repoDigests == [$d]'
	layer=$(echo "$st" | jq -r '.info.info | fromjson | .layers[0].diffID' | cut -d: -f2)
	[ "$(cat "$STORE/layers/$layer/which")" = amd64 ]
}

@test "crid images: a tampered blob fails the pull naming its digest and stores nothing" {
	start_crid
	mkdir -p "$T/t"
	echo good >"$T/t/f"
	tar -C "$T/t" -czf "$T/t.tar.gz" .
	push_layers_image "tampered:v1" "$T/t.tar.gz" >/dev/null
	local d=sha256:$(hex <"$T/t.tar.gz")
	tamper_blob "$d"
	run pull "$REGISTRY/tampered:v1"
	[ "$status" -eq 1 ]
	[[ "$output" == DATA_LOSS:*"$d"* ]]
	[ ! -e "$STORE/blobs/sha256/${d#sha256:}" ]
	[ -z "$(ls -A "$STORE/blobs/sha256")" ]
	[ -z "$(ls -A "$STORE/layers")" ]
	[ -z "$(ls -A "$STORE/ingest")" ]
	[ "$(cri ImageService/ListImages | jq '.images | length')" = 0 ]
}

@test "crid images: layers with a ../ entry or an absolute symlink parent are refused and leave nothing" {
	start_crid
	local target=$T/outside
	mkdir -p "$T/e/etc" "$target"
	echo evil >"$T/e/etc/a"
	tar -C "$T/e" -cf "$T/dotdot.tar" --transform 's,^\./etc/a,../../escaped,' ./etc/a
	# "link" points at an absolute host path; "link/planted" would write through it.
	ln -s "$target" "$T/e/link"
	tar -C "$T/e" -cf "$T/symlink.tar" ./link
	mkdir -p "$T/e2/link"
	echo planted >"$T/e2/link/planted"
	tar -C "$T/e2" -rf "$T/symlink.tar" ./link/planted
	push_layers_image "evil:dotdot" "$T/dotdot.tar" >/dev/null
	push_layers_image "evil:symlink" "$T/symlink.tar" >/dev/null
	for tag in dotdot symlink; do
		run pull "$REGISTRY/evil:$tag"
		echo "$output"
		[ "$status" -eq 1 ]
		[[ "$output" == *"evil:$tag"* ]]
	done
	[ ! -e "$target/planted" ]
	[ ! -e "$STORE/escaped" ] && [ ! -e "$T/root/escaped" ] && [ ! -e "$STORE/layers/escaped" ]
	[ -z "$(ls -A "$STORE/layers")" ]
	[ -z "$(ls -A "$STORE/blobs/sha256")" ]
	[ "$(cri ImageService/ListImages | jq '.images | length')" = 0 ]
}

@test "crid images: basic auth from PullImageRequest.auth; a wrong password fails clearly" {
	start_registry2 --htpasswd alice:s3cret
	local keep=$REGISTRY keep_creds=$REGISTRY_CREDS
	REGISTRY=$REG2 REGISTRY_CREDS=$REG2_CREDS push_busybox_image latest
	REGISTRY=$keep REGISTRY_CREDS=$keep_creds
	start_crid --insecure-registry "$REG2"
	run pull "$REG2/busybox:latest"
	[ "$status" -eq 1 ]
	[[ "$output" == PERMISSION_DENIED:*"$REG2/busybox:latest"* || "$output" == UNAUTHENTICATED:*"$REG2/busybox:latest"* ]]
	run pull "$REG2/busybox:latest" '{"username": "alice", "password": "wrong"}'
	[ "$status" -eq 1 ]
	[[ "$output" == PERMISSION_DENIED:* || "$output" == UNAUTHENTICATED:* ]]
	[ "$(cri ImageService/ListImages | jq '.images | length')" = 0 ]
	run pull "$REG2/busybox:latest" '{"username": "alice", "password": "s3cret"}'
	[ "$status" -eq 0 ]
	# The encoded form (AuthConfig.auth) and cridctl's --creds too.
	cri ImageService/RemoveImage "{\"image\": {\"image\": \"$REG2/busybox:latest\"}}" >/dev/null
	run pull "$REG2/busybox:latest" "{\"auth\": \"$(printf alice:s3cret | base64)\"}"
	[ "$status" -eq 0 ]
	run cridctl pull --creds alice:wrong "$REG2/busybox:latest"
	[ "$status" -eq 1 ]
	[[ "$output" == "cridctl: pull image \"$REG2/busybox:latest\": rpc error: code = "* ]]
	run cridctl pull --creds alice:s3cret "$REG2/busybox:latest"
	[ "$status" -eq 0 ]
	[[ "${lines[-1]}" == "Image is up to date for sha256:"* ]]
}

@test "crid images: Bearer token auth: crid follows the challenge, anonymously and with credentials" {
	mkdir -p "$T/p"
	echo pub >"$T/p/f"
	tar -C "$T/p" -czf "$T/p.tar.gz" .
	push_layers_image "public/app:v1" "$T/p.tar.gz" >/dev/null
	push_layers_image "private/app:v1" "$T/p.tar.gz" >/dev/null
	start_token_proxy bob:hunter2
	start_crid --insecure-registry "$TOKREG"
	# Anonymous: the token server hands out a token for public/ repositories.
	run pull "$TOKREG/public/app:v1"
	[ "$status" -eq 0 ]
	grep -q '^GET /token?.*scope=repository%3Apublic%2Fapp%3Apull' "$TOKLOG" ||
		grep -q '^GET /token?.*scope=repository:public/app:pull' "$TOKLOG"
	grep -q '^GET /token?.*service=berth-test' "$TOKLOG"
	grep -q '^GET /v2/public/app/blobs/sha256:[0-9a-f]* Bearer$' "$TOKLOG"
	# A private repository: no anonymous token, a wrong password refused, the right one works.
	run pull "$TOKREG/private/app:v1"
	[ "$status" -eq 1 ]
	[[ "$output" == PERMISSION_DENIED:* || "$output" == UNAUTHENTICATED:* ]]
	run pull "$TOKREG/private/app:v1" '{"username": "bob", "password": "nope"}'
	[ "$status" -eq 1 ]
	run pull "$TOKREG/private/app:v1" '{"username": "bob", "password": "hunter2"}'
	[ "$status" -eq 0 ]
	grep -q '^GET /token?.*private.* Basic$' "$TOKLOG"
	grep -q '^GET /v2/private/app/manifests/v1 Bearer$' "$TOKLOG"
}

@test "crid images: a mirror from crid.conf serves a registry that cannot be reached" {
	cat >"$T/crid.conf" <<-EOF
		[registries."unreachable.invalid:5000"]
		mirrors = ["http://$REGISTRY"]
	EOF
	start_crid --config "$T/crid.conf"
	run pull "unreachable.invalid:5000/busybox:latest"
	echo "$output"
	[ "$status" -eq 0 ]
	run cri ImageService/ImageStatus '{"image": {"image": "unreachable.invalid:5000/busybox:latest"}}'
	echo "$output" | jq -e '.image.repoTags == ["unreachable.invalid:5000/busybox:latest"]'
	# No mirror for another name on it: that pull fails, naming the registry.
	run pull "unreachable.invalid:5001/busybox:latest"
	[ "$status" -eq 1 ]
	[[ "$output" == *unreachable.invalid:5001* ]]
}

@test "crid images: concurrent pulls of two images sharing layers download each blob once" {
	mkdir -p "$T/s1" "$T/s2" "$T/s3"
	head -c 3000000 /dev/urandom >"$T/s1/big"
	echo one >"$T/s2/f"
	echo two >"$T/s3/f"
	tar -C "$T/s1" -czf "$T/shared.tar.gz" .
	tar -C "$T/s2" -czf "$T/one.tar.gz" .
	tar -C "$T/s3" -czf "$T/two.tar.gz" .
	push_layers_image "share/a:v1" "$T/shared.tar.gz" "$T/one.tar.gz" >/dev/null
	push_layers_image "share/a:v2" "$T/shared.tar.gz" "$T/two.tar.gz" >/dev/null
	start_token_proxy
	start_crid --insecure-registry "$TOKREG"
	pull "$TOKREG/share/a:v1" >"$T/p1" &
	p1=$!
	pull "$TOKREG/share/a:v2" >"$T/p2" &
	p2=$!
	wait "$p1"
	wait "$p2"
	local shared=sha256:$(hex <"$T/shared.tar.gz")
	[ "$(grep -c "^GET /v2/share/a/blobs/$shared " "$TOKLOG")" = 1 ]
	[ "$(cri ImageService/ListImages | jq '.images | length')" = 2 ]
	# Stored once, and each image's layers are there.
	[ -f "$STORE/blobs/sha256/${shared#sha256:}" ]
}

@test "crid images: RemoveImage of an image a container uses is FailedPrecondition; after it, unreferenced blobs go" {
	start_crid
	mkdir -p "$T/u"
	echo u >"$T/u/f"
	tar -C "$T/u" -czf "$T/u.tar.gz" .
	push_layers_image "used:v1" "$T/u.tar.gz" >/dev/null
	pull_busybox
	pull "$REGISTRY/used:v1" >/dev/null
	local ulayer=${STORE}/blobs/sha256/$(hex <"$T/u.tar.gz")
	[ -f "$ulayer" ]
	run_pod p
	create_ctr c sleep 3600
	run cri ImageService/RemoveImage "{\"image\": {\"image\": \"$BUSYBOX\"}}"
	[ "$status" -eq 1 ]
	[[ "$output" == "FAILED_PRECONDITION: "*"$CTR"* ]]
	[ "$(cri ImageService/ListImages | jq '.images | length')" = 2 ]
	# The unused image goes, with the blobs only it had.
	run cri ImageService/RemoveImage "{\"image\": {\"image\": \"$REGISTRY/used:v1\"}}"
	[ "$status" -eq 0 ]
	[ ! -e "$ulayer" ]
	[ ! -e "$STORE/layers/$(gzip -dc <"$T/u.tar.gz" | hex)" ]
	cri RemoveContainer "{\"containerId\": \"$CTR\"}" >/dev/null
	run cri ImageService/RemoveImage "{\"image\": {\"image\": \"$BUSYBOX\"}}"
	[ "$status" -eq 0 ]
	[ -z "$(ls -A "$STORE/blobs/sha256")" ]
	[ -z "$(ls -A "$STORE/layers")" ]
}

@test "crid images: every ImageService RPC's reply field by field; unknown images" {
	start_crid
	fsinfo() { cri ImageService/ImageFsInfo | jq -r ".imageFilesystems[0].$1"; }
	b0=$(fsinfo usedBytes.value) i0=$(fsinfo inodesUsed.value)
	run cri ImageService/ImageFsInfo
	echo "$output" | jq -e --arg m "$STORE" '.imageFilesystems | length == 1 and .[0].fsId.mountpoint == $m'
	echo "$output" | jq -e '(.imageFilesystems[0].timestamp | tonumber) > 1600000000000000000'
	echo "$output" | jq -e '.containerFilesystems == []'

	run pull "$BUSYBOX"
	[ "$status" -eq 0 ]
	id=$(echo "$output" | jq -r .imageRef)
	[[ "$id" =~ ^sha256:[0-9a-f]{64}$ ]]
	config=$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY/v2/busybox/manifests/latest" | jq -r .config.digest)
	[ "$id" = "$config" ]
	manifest=sha256:$(curl -fsS -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REGISTRY/v2/busybox/manifests/latest" | hex)

	b1=$(fsinfo usedBytes.value) i1=$(fsinfo inodesUsed.value)
	[ "$b1" -gt "$b0" ] && [ "$i1" -gt "$i0" ]

	run cri ImageService/ListImages
	echo "$output" | jq -e --arg id "$id" --arg t "$BUSYBOX" --arg d "$REGISTRY/busybox@$manifest" '
		.images | length == 1 and .[0].id == $id and .[0].repoTags == [$t] and .[0].repoDigests == [$d]
		and (.[0].size | tonumber) > 1000000 and .[0].uid == null and .[0].username == ""
		and .[0].spec.image == $id and .[0].pinned == false'
	run cri ImageService/ListImages "{\"filter\": {\"image\": {\"image\": \"$BUSYBOX\"}}}"
	echo "$output" | jq -e --arg id "$id" '.images | length == 1 and .[0].id == $id'
	run cri ImageService/ListImages "{\"filter\": {\"image\": {\"image\": \"$REGISTRY/nope:latest\"}}}"
	echo "$output" | jq -e '.images == []'

	run cri ImageService/ImageStatus "{\"image\": {\"image\": \"$BUSYBOX\"}}"
	echo "$output" | jq -e --arg id "$id" '.image.id == $id and .info == {}'
	run cri ImageService/ImageStatus "{\"image\": {\"image\": \"${id:7:12}\"}, \"verbose\": true}"
	echo "$output" | jq -e --arg id "$id" --arg m "$manifest" '.image.id == $id and (.info.info | fromjson |
		.id == $id and .manifestDigest == $m and .indexDigest == "" and
		.manifestMediaType == "application/vnd.oci.image.manifest.v1+json" and (.pulledAt > 0) and
		(.layers | length == 1) and (.layers[0].digest | startswith("sha256:")) and
		.imageSpec.os == "linux" and .imageSpec.architecture == "amd64" and
		.imageSpec.config.Cmd == ["/bin/sh"] and .imageSpec.config.WorkingDir == "/")'

	# Unknown images: NotFound for a pull, an empty status, a remove that succeeds.
	run pull "$REGISTRY/busybox:no-such-tag"
	[ "$status" -eq 1 ]
	[[ "$output" == "NOT_FOUND: "*"busybox:no-such-tag"* ]]
	run cri ImageService/ImageStatus "{\"image\": {\"image\": \"$REGISTRY/nope:latest\"}}"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.image == null and .info == {}'
	run cri ImageService/RemoveImage "{\"image\": {\"image\": \"$REGISTRY/nope:latest\"}}"
	[ "$status" -eq 0 ]
	run cri ImageService/ImageStatus '{"image": {"image": ""}}'
	[[ "$output" == INVALID_ARGUMENT:* ]]

	run cri ImageService/RemoveImage "{\"image\": {\"image\": \"$id\"}}"
	[ "$status" -eq 0 ]
	[ "$output" = "{}" ]
	# Back to what it was (records.json may have appeared: one inode, a block).
	[ "$(fsinfo usedBytes.value)" -lt "$b1" ] && [ "$(fsinfo usedBytes.value)" -le $((b0 + 4096)) ]
	[ "$(fsinfo inodesUsed.value)" -lt "$i1" ] && [ "$(fsinfo inodesUsed.value)" -le $((i0 + 1)) ]
	[ "$(cri ImageService/ListImages | jq '.images | length')" = 0 ]
}

@test "cridctl pull: one plain line per layer, then the image; on a terminal, progress lines redrawn in place" {
	start_crid
	mkdir -p "$T/g" "$T/z"
	head -c 500000 /dev/urandom >"$T/g/r"
	echo z >"$T/z/f"
	tar -C "$T/g" -czf "$T/g.tar.gz" .
	tar -C "$T/z" -cf - . | zstd -q >"$T/z.tar.zst"
	push_layers_image "prog:v1" "$T/g.tar.gz" "$T/z.tar.zst" >/dev/null
	local g z gs zs
	g=$(hex <"$T/g.tar.gz") z=$(hex <"$T/z.tar.zst")
	gs=$(stat -c %s "$T/g.tar.gz") zs=$(stat -c %s "$T/z.tar.zst")
	run cridctl pull "$REGISTRY/prog:v1"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	printf '%s\n' "${lines[@]:0:2}" | sort >"$T/got"
	printf '%s\n' "${g:0:12}: Pull complete $gs/$gs bytes" "${z:0:12}: Pull complete $zs/$zs bytes" | sort >"$T/want"
	diff "$T/want" "$T/got"
	id=$(cri ImageService/ImageStatus "{\"image\": {\"image\": \"$REGISTRY/prog:v1\"}}" | jq -r .image.id)
	[ "${lines[2]}" = "Image is up to date for $id" ]

	# Again under another tag: the layers are there already.
	push_layers_image "prog:v2" "$T/g.tar.gz" "$T/z.tar.zst" >/dev/null
	run cridctl pull "$REGISTRY/prog:v2"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "${g:0:12}: Already exists" ] || [ "${lines[1]}" = "${g:0:12}: Already exists" ]
	[ "${lines[2]}" = "Image is up to date for $id" ]

	# On a terminal (script gives it one): a line per layer, each redrawn in place.
	cri ImageService/RemoveImage "{\"image\": {\"image\": \"$id\"}}" >/dev/null
	command -v script >/dev/null || skip "script (util-linux) is not installed"
	script -qec "$CRIDCTL -r $ENDPOINT pull $REGISTRY/prog:v1" /dev/null >"$T/tty.out"
	grep -q $'\r\e\[2K'"${g:0:12}: Waiting" "$T/tty.out"
	grep -q $'\r\e\[2K'"${g:0:12}: Pull complete $gs/$gs bytes" "$T/tty.out"
	grep -q $'\r\e\[2K'"${z:0:12}: Pull complete $zs/$zs bytes" "$T/tty.out"
	grep -q $'\e\[2A' "$T/tty.out"
	grep -q "Image is up to date for $id" "$T/tty.out"
}

@test "cridctl: version, info, images (table, -q, --digests, -o json), inspecti, rmi, imagefsinfo through -r, -i and CONTAINER_RUNTIME_ENDPOINT" {
	start_crid
	run env CONTAINER_RUNTIME_ENDPOINT="$ENDPOINT" "$CRIDCTL" version
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "RuntimeName:  crid" ]
	[ "${lines[3]}" = "RuntimeApiVersion:  v1" ]
	run env CONTAINER_RUNTIME_ENDPOINT="$ENDPOINT" "$CRIDCTL" info
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.status.conditions | length > 0'
	# -i sends image calls elsewhere: a dead image endpoint fails them, not version.
	run "$CRIDCTL" -r "$ENDPOINT" -i "unix://$T/nothing.sock" images
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/nothing.sock"*"is crid running?"* ]]
	run "$CRIDCTL" -r "unix://$T/nothing.sock" -i "$ENDPOINT" pull "$BUSYBOX"
	[ "$status" -eq 0 ]
	id=${lines[-1]##* }
	run env CONTAINER_RUNTIME_ENDPOINT="$ENDPOINT" "$CRIDCTL" images -q
	[ "$output" = "$id" ]
	run env IMAGE_SERVICE_ENDPOINT="$ENDPOINT" "$CRIDCTL" -r "unix://$T/nothing.sock" images --digests
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" =~ ^IMAGE\ +TAG\ +DIGEST\ +IMAGE\ ID\ +SIZE$ ]]
	[[ "${lines[1]}" =~ ^"$REGISTRY/busybox"\ +latest\ +[0-9a-f]{13}\ +${id:7:13}\ + ]]
	run cridctl images -o json
	echo "$output" | jq -e --arg id "$id" '.images[0].id == $id'
	run cridctl inspecti -o yaml "$BUSYBOX"
	[ "$status" -eq 0 ]
	[[ "$output" == *"id: $id"* ]]
	run cridctl imagefsinfo
	echo "$output" | jq -e --arg m "$STORE" '.status.imageFilesystems[0].fsId.mountpoint == $m'
	run cridctl rmi "$REGISTRY/busybox:nope"
	[ "$status" -eq 1 ]
	[ "$output" = "cridctl: no such image \"$REGISTRY/busybox:nope\" present" ]
	run cridctl rmi "${id:7:12}"
	[ "$status" -eq 0 ]
	[ "$output" = "Deleted: $BUSYBOX" ]
}
