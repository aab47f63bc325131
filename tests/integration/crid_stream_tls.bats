#!/usr/bin/env bats
# crid's streaming server over TLS (stream_enable_tls, stream_tls_cert,
# stream_tls_key, stream_tls_ca, as CRI-O names them): https URLs, exec over
# SPDY and WebSocket through TLS with cridctl and an independent client
# (python3-websocket), refusal of untrusted servers, of plain HTTP on the TLS
# port and of clients without a certificate when stream_tls_ca is set, and
# startup errors that name the bad file.

load crid_helpers
bats_require_minimum_version 1.5.0

PY=/usr/bin/python3

setup_file() {
	export STREAM_TOOL="${BERTH_BUILD_DIR:-/nonexistent}/tests/stream_tool"
	crid_setup_file
}

teardown_file() {
	crid_teardown_file
}

# A self-signed certificate for 127.0.0.1 (its own CA) in $T/$1.crt, $T/$1.key.
make_cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=${2:-127.0.0.1}" \
		-addext "subjectAltName=IP:127.0.0.1" -keyout "$T/$1.key" -out "$T/$1.crt" 2>/dev/null
}

setup() {
	crid_setup
	command -v openssl >/dev/null || skip "openssl(1) not installed"
	[ -x "$STREAM_TOOL" ] || skip "tests/stream_tool not built (make check programs; set BERTH_BUILD_DIR)"
	make_cert server
}

teardown() {
	crid_teardown
}

# An Exec URL for CMD... in $CTR. Only with EXEC_STDIN=true does it ask for
# stdin: the server then waits (30s, as the kubelet's streamCreationTimeout)
# for the client to open a stdin stream, which stream_tool does only with --stdin.
exec_url() {
	local cmd
	cmd=$(printf '%s\n' "$@" | jq -R . | jq -s -c .)
	cri Exec "{\"containerId\": \"$CTR\", \"cmd\": $cmd, \"stdin\": ${EXEC_STDIN:-false}, \"stdout\": true, \"stderr\": true}" | jq -r .url
}

# crid in the foreground with start_crid's settings, for startup errors.
# Each case fails before serving; timeout stops one that wrongly would not.
crid_startup() {
	mkdir -p "$T/cni-loopback"
	echo '{"cniVersion": "1.0.0", "name": "crid-test-loopback", "plugins": [{"type": "loopback"}]}' \
		>"$T/cni-loopback/10-loopback.conflist"
	timeout 20 "$CRID" --root "$T/root" --state "$T/state" --listen "$ENDPOINT" --cni-config-dir "$T/cni-loopback" --runtime "$CRID_TEST_RUNTIME" \
		--monitor-path "$CRID_LIBEXEC/crid-monitor" --infra-binary "$CRID_LIBEXEC/crid-pause" \
		--pull-helper "$CRID_LIBEXEC/crid-pull" --cgroup-parent "$CRID_CGROUP_PARENT" --seccomp-default-profile "$CRID_SECCOMP_PROFILE" "$@"
}

start_tls_crid() {
	start_crid --stream-enable-tls --stream-tls-cert "$T/server.crt" --stream-tls-key "$T/server.key" "$@"
	pull_busybox
	run_pod p1
	run_ctr c1
}

@test "TLS: Exec URLs are https; exec over SPDY and WebSocket through TLS" {
	start_tls_crid
	url=$(exec_url echo hi)
	[[ "$url" == https://127.0.0.1:* ]]
	grep -q "streaming server on https://" "$T/crid.log"
	# crid loads libssl for TLS only (crid/streaming/libssl.h): here it has.
	grep -q 'libssl\.so' "/proc/$CRID_PID/maps"

	run --separate-stderr bash -c "printf 'abc\n' | '$CRIDCTL' -r '$ENDPOINT' exec -i --certificate-authority '$T/server.crt' '$CTR' sh -c 'tr a-z A-Z; echo err >&2; exit 3'"
	echo "$output $stderr"
	[ "$status" -eq 3 ]
	[ "$output" = ABC ]
	[ "$stderr" = err ]

	run bash -c "printf 'a\nb\n' | '$CRIDCTL' -r '$ENDPOINT' exec -i --transport websocket --certificate-authority '$T/server.crt' '$CTR' sh -c 'n=0; while read l; do n=\$((n+1)); done; echo \$n'"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = 2 ]

	# An independent TLS stack: Python's ssl through python3-websocket.
	url=$(EXEC_STDIN=true exec_url sh -c 'cat; echo done')
	WS_CA_CERTS="$T/server.crt" run "$PY" "$BATS_TEST_DIRNAME/ws_exec.py" "$url" "from-python"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *from-python*done* ]]

	# The test client over the library directly, SPDY, a larger transfer.
	url=$(exec_url sh -c 'head -c 3000000 /dev/zero | tr "\0" x')
	run bash -c "'$STREAM_TOOL' exec --cacert '$T/server.crt' '$url' | wc -c"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = 3000000 ]
}

@test "TLS: a client that does not trust the certificate is refused; --insecure-skip-tls-verify" {
	start_tls_crid
	make_cert other
	run cridctl exec -i --certificate-authority "$T/other.crt" "$CTR" echo hi </dev/null
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"certificate verify failed"* ]]
	# Without a CA file the system's store is used, which knows nothing of it.
	run cridctl exec -i "$CTR" echo hi </dev/null
	[ "$status" -ne 0 ]
	[[ "$output" == *"certificate verify failed"* ]]
	url=$(exec_url echo hi)
	WS_CA_CERTS="$T/other.crt" run "$PY" "$BATS_TEST_DIRNAME/ws_exec.py" "$url"
	[ "$status" -ne 0 ]
	[[ "$output" == *CERTIFICATE_VERIFY_FAILED* ]]

	run cridctl exec -i --insecure-skip-tls-verify "$CTR" echo hi </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
}

@test "TLS: plain HTTP to the TLS port is answered with 400" {
	start_tls_crid
	url=$(exec_url echo hi)
	plain="http://${url#https://}"
	run curl -sS "$plain"
	echo "$output"
	[[ "$output" == *"Client sent an HTTP request to an HTTPS server"* ]]
	run "$STREAM_TOOL" exec "$plain"
	[ "$status" -ne 0 ]
	# The token was not spent by the refused request: https still works.
	run "$STREAM_TOOL" exec --cacert "$T/server.crt" "$url"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
}

@test "TLS: stream_tls_ca requires a client certificate it signed" {
	make_cert client
	start_tls_crid --stream-tls-ca "$T/client.crt"
	url=$(exec_url echo hi)
	run "$STREAM_TOOL" exec --cacert "$T/server.crt" "$url"
	[ "$status" -ne 0 ]
	url=$(exec_url echo hi)
	run "$STREAM_TOOL" exec --cacert "$T/server.crt" --cert "$T/client.crt" --key "$T/client.key" "$url"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	run cridctl exec -i --certificate-authority "$T/server.crt" --client-certificate "$T/client.crt" \
		--client-key "$T/client.key" "$CTR" echo via-cridctl </dev/null
	[ "$status" -eq 0 ]
	[ "$output" = via-cridctl ]
}

@test "TLS: the config file keys; bad files are startup errors naming them" {
	cat >"$T/crid.conf" <<-EOC
		stream_enable_tls = true
		stream_tls_cert = "$T/server.crt"
		stream_tls_key = "$T/no-such.key"
	EOC
	run crid_startup --config "$T/crid.conf"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"stream_tls_key $T/no-such.key: No such file or directory"* ]]

	run crid_startup --stream-enable-tls=true --stream-tls-cert "$T/missing.crt" --stream-tls-key "$T/server.key"
	[ "$status" -ne 0 ]
	[[ "$output" == *"stream_tls_cert $T/missing.crt: No such file or directory"* ]]

	make_cert other
	run crid_startup --stream-enable-tls=true --stream-tls-cert "$T/server.crt" --stream-tls-key "$T/other.key"
	[ "$status" -ne 0 ]
	[[ "$output" == *"stream_tls_key $T/other.key does not match the certificate in stream_tls_cert $T/server.crt"* ]]

	echo garbage >"$T/bad.crt"
	run crid_startup --stream-enable-tls=true --stream-tls-cert "$T/bad.crt" --stream-tls-key "$T/server.key"
	[ "$status" -ne 0 ]
	[[ "$output" == *"stream_tls_cert $T/bad.crt: not a PEM certificate"* ]]

	run crid_startup --stream-enable-tls
	[ "$status" -ne 0 ]
	[[ "$output" == *"stream_tls_cert and stream_tls_key must name"* ]]
}
