# Helpers for tests that pull images: a private docker-registry on 127.0.0.1
# and a busybox image built here (busybox-static, umoci, skopeo), no internet.
#
#   start_registry [--htpasswd USER:PASSWORD]
#                             sets REGISTRY_DIR, REGISTRY_PORT, REGISTRY (127.0.0.1:PORT), REGISTRY_PID;
#                             with --htpasswd the registry wants basic auth (REGISTRY_CREDS=USER:PASSWORD,
#                             which the push helpers use)
#   push_busybox_image [TAG]  pushes $REGISTRY/busybox:TAG as an OCI image, :TAG-v2s2 as Docker
#                             schema2, and :TAG-index as a multi-arch index (amd64 + arm64 entries)
#   push_layers_image REPO:TAG FILE[=MEDIATYPE]...
#                             pushes an image made of the given layer files as they are (any
#                             tar, even a malicious one); media type from the file name
#                             (.tar, .tar.gz/.tgz, .tar.zst) unless given; the config lists their
#                             diffIDs; prints the manifest digest
#   tamper_blob DIGEST        overwrites a stored blob behind the registry's back
#   stop_registry             stops it (by its pid) and removes its directory

registry_free_port() {
	# Below the ephemeral range: a port some client holds as its local end
	# refuses connections (so it looks free) but not a bind.
	local port low
	low=$(cut -f1 /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || echo 32768)
	[ "$low" -gt 12000 ] || low=32768
	for _ in $(seq 50); do
		port=$((10000 + RANDOM % (low - 10000)))
		if ! (exec 3<>/dev/tcp/127.0.0.1/$port) 2>/dev/null; then
			echo "$port"
			return 0
		fi
	done
	return 1
}

start_registry() {
	local creds=
	if [ "${1:-}" = --htpasswd ]; then creds=$2; fi
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
	REGISTRY_CREDS=
	if [ -n "$creds" ]; then
		# bcrypt, the only hash docker-registry's htpasswd accepts.
		python3 -c 'import crypt, sys; u, p = sys.argv[1].split(":", 1); print(u + ":" + crypt.crypt(p, crypt.mksalt(crypt.METHOD_BLOWFISH)))' \
			"$creds" >"$REGISTRY_DIR/htpasswd" 2>/dev/null || { echo "cannot make a bcrypt htpasswd" >&2; return 1; }
		cat >>"$REGISTRY_DIR/config.yml" <<-YAML
			auth:
			  htpasswd:
			    realm: berth-test
			    path: $REGISTRY_DIR/htpasswd
		YAML
		REGISTRY_CREDS=$creds
	fi
	docker-registry serve "$REGISTRY_DIR/config.yml" >"$REGISTRY_DIR/log" 2>&1 &
	REGISTRY_PID=$!
	for _ in $(seq 100); do
		if curl -fsS ${REGISTRY_CREDS:+-u "$REGISTRY_CREDS"} "http://$REGISTRY/v2/" >/dev/null 2>&1; then
			export REGISTRY REGISTRY_PORT REGISTRY_DIR REGISTRY_PID REGISTRY_CREDS
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
	unset REGISTRY_PID REGISTRY_DIR REGISTRY REGISTRY_PORT REGISTRY_CREDS
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
		skopeo copy -q --dest-tls-verify=false ${REGISTRY_CREDS:+--dest-creds "$REGISTRY_CREDS"} \
			"oci:$work/oci:$tag" "docker://$REGISTRY/busybox:$tag" &&
		skopeo copy -q --dest-tls-verify=false ${REGISTRY_CREDS:+--dest-creds "$REGISTRY_CREDS"} --format v2s2 \
			"oci:$work/oci:$tag" "docker://$REGISTRY/busybox:$tag-v2s2" &&
		push_index "$tag" "$work"
	rc=$?
	rm -rf "$work"
	return $rc
}

# An OCI index naming the amd64 image and a (fake: same content) arm64 one.
push_index() {
	local tag=$1 work=$2 digest size mt
	mt=application/vnd.oci.image.manifest.v1+json
	curl -fsS ${REGISTRY_CREDS:+-u "$REGISTRY_CREDS"} -H "Accept: $mt" -o "$work/manifest.json" \
		"http://$REGISTRY/v2/busybox/manifests/$tag" || return 1
	digest=sha256:$(sha256sum <"$work/manifest.json" | cut -d' ' -f1)
	size=$(stat -c %s "$work/manifest.json")
	cat >"$work/index.json" <<-JSON
		{"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[
		{"mediaType":"$mt","digest":"$digest","size":$size,"platform":{"os":"linux","architecture":"arm64","variant":"v8"}},
		{"mediaType":"$mt","digest":"$digest","size":$size,"platform":{"os":"linux","architecture":"amd64"}}]}
	JSON
	curl -fsS ${REGISTRY_CREDS:+-u "$REGISTRY_CREDS"} -X PUT -H "Content-Type: application/vnd.oci.image.index.v1+json" \
		--data-binary "@$work/index.json" "http://$REGISTRY/v2/busybox/manifests/$tag-index" >/dev/null
}

# Uploads FILE as a blob of REPO (monolithic upload); prints its digest.
registry_put_blob() {
	local repo=$1 file=$2 digest location
	digest=sha256:$(sha256sum <"$file" | cut -d' ' -f1)
	location=$(curl -fsS ${REGISTRY_CREDS:+-u "$REGISTRY_CREDS"} -X POST -o /dev/null -w '%header{location}' \
		"http://$REGISTRY/v2/$repo/blobs/uploads/") || return 1
	case "$location" in http*) ;; *) location="http://$REGISTRY$location" ;; esac
	case "$location" in *\?*) location="$location&digest=$digest" ;; *) location="$location?digest=$digest" ;; esac
	curl -fsS ${REGISTRY_CREDS:+-u "$REGISTRY_CREDS"} -X PUT -H "Content-Type: application/octet-stream" \
		--data-binary "@$file" "$location" >/dev/null || return 1
	echo "$digest"
}

push_layers_image() {
	local ref=$1 repo tag work arg file mt digest diff size layers= diffs= sep=
	shift
	repo=${ref%:*}
	tag=${ref##*:}
	work=$(mktemp -d /tmp/berth-layers.XXXXXX)
	for arg in "$@"; do
		file=${arg%%=*}
		mt=
		[ "$file" != "$arg" ] && mt=${arg#*=}
		if [ -z "$mt" ]; then
			case "$file" in
			*.tar.gz | *.tgz) mt=application/vnd.oci.image.layer.v1.tar+gzip ;;
			*.tar.zst) mt=application/vnd.oci.image.layer.v1.tar+zstd ;;
			*) mt=application/vnd.oci.image.layer.v1.tar ;;
			esac
		fi
		case "$mt" in
		*gzip) diff=sha256:$(gzip -dc <"$file" | sha256sum | cut -d' ' -f1) ;;
		*zstd) diff=sha256:$(zstd -dc <"$file" | sha256sum | cut -d' ' -f1) ;;
		*) diff=sha256:$(sha256sum <"$file" | cut -d' ' -f1) ;;
		esac
		digest=$(registry_put_blob "$repo" "$file") || { rm -rf "$work"; return 1; }
		size=$(stat -c %s "$file")
		layers="$layers$sep{\"mediaType\":\"$mt\",\"digest\":\"$digest\",\"size\":$size}"
		diffs="$diffs$sep\"$diff\""
		sep=,
	done
	printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/sh"],"Env":["PATH=/bin"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
		"$diffs" >"$work/config.json"
	digest=$(registry_put_blob "$repo" "$work/config.json") || { rm -rf "$work"; return 1; }
	size=$(stat -c %s "$work/config.json")
	printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"%s","size":%s},"layers":[%s]}' \
		"$digest" "$size" "$layers" >"$work/manifest.json"
	curl -fsS ${REGISTRY_CREDS:+-u "$REGISTRY_CREDS"} -X PUT -H "Content-Type: application/vnd.oci.image.manifest.v1+json" \
		--data-binary "@$work/manifest.json" "http://$REGISTRY/v2/$repo/manifests/$tag" >/dev/null || { rm -rf "$work"; return 1; }
	echo "sha256:$(sha256sum <"$work/manifest.json" | cut -d' ' -f1)"
	rm -rf "$work"
}

tamper_blob() {
	local hex=${1#sha256:} data
	data="$REGISTRY_DIR/storage/docker/registry/v2/blobs/sha256/${hex:0:2}/$hex/data"
	[ -f "$data" ] || { echo "tamper_blob: no blob $1 in the registry" >&2; return 1; }
	printf 'tampered by a test\n' >"$data"
}

# A registry started in setup_file lives in that subshell's variables only:
# these hand it to each test (setup) and back to teardown_file.
save_file_registry() {
	echo "$REGISTRY_PID $REGISTRY_DIR $REGISTRY" >"$BATS_FILE_TMPDIR/registry"
}

load_file_registry() {
	read -r REGISTRY_PID REGISTRY_DIR REGISTRY <"$BATS_FILE_TMPDIR/registry"
}

stop_file_registry() {
	[ -f "$BATS_FILE_TMPDIR/registry" ] || return 0
	load_file_registry
	stop_registry
}
