# Helpers for tests that pull images: a private docker-registry on 127.0.0.1
# and a busybox image built here (busybox-static, umoci, skopeo), no internet.
#
#   start_registry            sets REGISTRY_DIR, REGISTRY_PORT, REGISTRY (127.0.0.1:PORT), REGISTRY_PID
#   push_busybox_image [TAG]  pushes $REGISTRY/busybox:TAG as an OCI image, :TAG-v2s2 as Docker
#                             schema2, and :TAG-index as a multi-arch index (amd64 + arm64 entries)
#   stop_registry             stops it (by its pid) and removes its directory

registry_free_port() {
	local port
	for _ in $(seq 50); do
		port=$((20000 + RANDOM % 20000))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

start_registry() {
	REGISTRY_DIR=$(mktemp -d /tmp/berth-registry.XXXXXX)
	REGISTRY_PORT=$(registry_free_port) || return 1
	REGISTRY=127.0.0.1:$REGISTRY_PORT
	mkdir -p "$REGISTRY_DIR/storage"
	cat >"$REGISTRY_DIR/config.yml" <<-YAML
		version: 0.1
		log:
		  level: error
		storage:
		  filesystem:
		    rootdirectory: $REGISTRY_DIR/storage
		  delete:
		    enabled: true
		http:
		  addr: $REGISTRY
	YAML
	docker-registry serve "$REGISTRY_DIR/config.yml" >"$REGISTRY_DIR/log" 2>&1 &
	REGISTRY_PID=$!
	for _ in $(seq 100); do
		if curl -fsS "http://$REGISTRY/v2/" >/dev/null 2>&1; then
			export REGISTRY REGISTRY_PORT REGISTRY_DIR REGISTRY_PID
			return 0
		fi
		sleep 0.1
	done
	echo "docker-registry did not come up on $REGISTRY: $(cat "$REGISTRY_DIR/log")" >&2
	stop_registry
	return 1
}

stop_registry() {
	# Callers may be another process than the one that started it (Bats runs
	# setup_file and teardown_file apart), so wait by polling, not with `wait`.
	if [ -n "${REGISTRY_PID:-}" ] && kill "$REGISTRY_PID" 2>/dev/null; then
		local i
		for i in $(seq 50); do
			kill -0 "$REGISTRY_PID" 2>/dev/null || break
			sleep 0.1
		done
		if [ "$i" -eq 50 ]; then kill -9 "$REGISTRY_PID" 2>/dev/null || true; fi
		wait "$REGISTRY_PID" 2>/dev/null || true
	fi
	if [ -n "${REGISTRY_DIR:-}" ]; then rm -rf "$REGISTRY_DIR"; fi
	unset REGISTRY_PID REGISTRY_DIR REGISTRY REGISTRY_PORT
	return 0
}

# A one-layer OCI layout holding busybox-static with its applet links.
build_busybox_layout() {
	local layout=$1 tag=$2 work
	work=$(mktemp -d /tmp/berth-bb.XXXXXX)
	mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/rootfs/tmp"
	cp /bin/busybox "$work/rootfs/bin/busybox"
	for applet in sh ls cat echo true false sleep id env; do
		ln -s busybox "$work/rootfs/bin/$applet"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$work/rootfs/etc/passwd"
	umoci init --layout "$layout" &&
		umoci new --image "$layout:$tag" &&
		umoci insert --image "$layout:$tag" "$work/rootfs" / &&
		umoci config --image "$layout:$tag" --config.cmd /bin/sh --config.env PATH=/bin \
			--config.workingdir / --config.label org.berth.test=busybox
	local rc=$?
	rm -rf "$work"
	return $rc
}

push_busybox_image() {
	local tag=${1:-latest} work rc
	work=$(mktemp -d /tmp/berth-push.XXXXXX)
	build_busybox_layout "$work/oci" "$tag" &&
		skopeo copy -q --dest-tls-verify=false "oci:$work/oci:$tag" "docker://$REGISTRY/busybox:$tag" &&
		skopeo copy -q --dest-tls-verify=false --format v2s2 "oci:$work/oci:$tag" "docker://$REGISTRY/busybox:$tag-v2s2" &&
		push_index "$tag" "$work"
	rc=$?
	rm -rf "$work"
	return $rc
}

# An OCI index naming the amd64 image and a (fake: same content) arm64 one.
push_index() {
	local tag=$1 work=$2 digest size mt
	mt=application/vnd.oci.image.manifest.v1+json
	curl -fsS -H "Accept: $mt" -o "$work/manifest.json" "http://$REGISTRY/v2/busybox/manifests/$tag" || return 1
	digest=sha256:$(sha256sum <"$work/manifest.json" | cut -d' ' -f1)
	size=$(stat -c %s "$work/manifest.json")
	cat >"$work/index.json" <<-JSON
		{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
		{"mediaType":"$mt","digest":"$digest","size":$size,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
		{"mediaType":"$mt","digest":"$digest","size":$size,"platform":{"os":"linux","architecture":"amd64"}}]}
	JSON
	curl -fsS -X PUT -H "Content-Type: application/vnd.oci.image.index.v1+json" \
		--data-binary "@$work/index.json" "http://$REGISTRY/v2/busybox/manifests/$tag-index" >/dev/null
}
