#!/usr/bin/env bats
# crid's streaming server (exec, port-forward) against a real container:
# tests/stream_server_tool runs the server with the runtime backend over
# $BERTH's container (until crid serves streams itself), tests/stream_tool
# speaks SPDY/3.1 and WebSocket, ws_exec.py is an independent WebSocket client
# (Debian's python3-websocket). The test programs come from the build tree:
# BERTH_BUILD_DIR (tests/run-all.sh exports it).

load helpers

setup_file() {
	export STREAM_TOOL="${BERTH_BUILD_DIR:-/nonexistent}/tests/stream_tool"
	export STREAM_SERVER_TOOL="${BERTH_BUILD_DIR:-/nonexistent}/tests/stream_server_tool"
}

# Starts the busybox container (sleeping) and the streaming server over it.
start_streaming() {
	[ -x "$STREAM_TOOL" ] && [ -x "$STREAM_SERVER_TOOL" ] ||
		skip "stream_tool/stream_server_tool not built (make check programs; set BERTH_BUILD_DIR)"
	set_args sleep 1000
	run_berth_detached run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ] || fail "run -d: $output"
	local pid
	pid="$(container_pid "$CID")"
	mkfifo "$BATS_TEST_TMPDIR/requests"
	: >"$BATS_TEST_TMPDIR/urls"
	"$STREAM_SERVER_TOOL" --runtime "$BERTH" --root "$ROOT" --netns "/proc/$pid/ns/net" "$@" \
		<"$BATS_TEST_TMPDIR/requests" >"$BATS_TEST_TMPDIR/urls" 2>"$BATS_TEST_TMPDIR/server.err" 3>&- &
	SERVER_PID=$!
	exec 8>"$BATS_TEST_TMPDIR/requests"
	on_teardown kill "$SERVER_PID"
}

# One URL for a request: issue '{"kind":"exec","cmd":["true"]}' (id defaults to $CID).
issue() {
	local n req
	n=$(wc -l <"$BATS_TEST_TMPDIR/urls")
	req="$(jq -c --arg id "$CID" '.id //= $id' <<<"$1")"
	echo "$req" >&8
	local i
	for i in $(seq 100); do
		[ "$(wc -l <"$BATS_TEST_TMPDIR/urls")" -gt "$n" ] && break
		sleep 0.05
	done
	sed -n "$((n + 1))p" "$BATS_TEST_TMPDIR/urls"
}

exec_url() { issue "$(jq -nc --argjson cmd "$(json_array "$@")" '{kind:"exec",cmd:$cmd}')"; }

@test "streaming: exec exit codes reach the client through the error stream (SPDY and WebSocket)" {
	start_streaming
	run "$STREAM_TOOL" exec "$(exec_url sh -c 'echo out; echo err >&2; exit 3')"
	[ "$status" -eq 3 ]
	[[ "$output" == *out* ]]
	[[ "$output" == *err* ]]
	run "$STREAM_TOOL" exec "$(exec_url true)"
	[ "$status" -eq 0 ]
	run "$STREAM_TOOL" exec --ws "$(exec_url sh -c 'exit 7')"
	[ "$status" -eq 7 ]
	# The older SPDY protocols carry only the failure's text.
	run "$STREAM_TOOL" exec --protocol v2.channel.k8s.io "$(exec_url sh -c 'exit 5')"
	[ "$status" -eq 5 ]
}

@test "streaming: stdin reaches the command and its EOF ends it" {
	start_streaming
	run bash -c "printf 'line1\nline2\n' | '$STREAM_TOOL' exec --stdin '$(issue '{"kind":"exec","cmd":["wc","-l"],"stdin":true}')'"
	[ "$status" -eq 0 ]
	[ "$(echo "$output" | tr -d ' ')" = 2 ]
	run bash -c "printf 'abc' | '$STREAM_TOOL' exec --ws --stdin '$(issue '{"kind":"exec","cmd":["cat"],"stdin":true}')'"
	[ "$status" -eq 0 ]
	[ "$output" = abc ]
}

@test "streaming: a client that never opens the stdin it asked for is told so after 30s" {
	start_streaming
	# As the kubelet (streamCreationTimeout), the server waits 30s for the
	# streams the request named, then says which one never came.
	SECONDS=0
	run "$STREAM_TOOL" exec "$(issue '{"kind":"exec","cmd":["echo","hi"],"stdin":true}')"
	echo "$output (after ${SECONDS}s)"
	[ "$status" -ne 0 ]
	[[ "$output" == *"the client did not open the stdin stream its request asked for within 30s"* ]]
	! grep -qx hi <<<"$output" || false
	[ "$SECONDS" -ge 29 ]
}

@test "streaming: 10 MiB of output arrives whole" {
	start_streaming
	"$STREAM_TOOL" exec "$(exec_url sh -c 'head -c 10485760 /dev/zero')" >"$BATS_TEST_TMPDIR/big"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/big")" -eq 10485760 ]
	"$STREAM_TOOL" exec --ws "$(exec_url sh -c 'head -c 10485760 /dev/zero')" >"$BATS_TEST_TMPDIR/big2"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/big2")" -eq 10485760 ]
}

@test "streaming: 10 MiB through stdin and back within SPDY flow-control windows" {
	start_streaming
	# stream_tool fails when the server sends beyond the 64 KiB window it
	# granted; it gives window back as it writes the data out.
	head -c 10485760 /dev/urandom >"$BATS_TEST_TMPDIR/in"
	"$STREAM_TOOL" exec --stdin "$(issue '{"kind":"exec","cmd":["cat"],"stdin":true}')" \
		<"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out"
	cmp "$BATS_TEST_TMPDIR/in" "$BATS_TEST_TMPDIR/out"
	# Taken slowly (the pipe's reader sleeps first): the server waits for window.
	"$STREAM_TOOL" exec "$(exec_url sh -c 'head -c 3145728 /dev/zero')" | (sleep 2; wc -c) >"$BATS_TEST_TMPDIR/n"
	[ "$(cat "$BATS_TEST_TMPDIR/n")" -eq 3145728 ]
}

@test "streaming: tty exec gets the client's terminal size" {
	# runc takes --console-socket only with --detach, and a detached exec's
	# exit status needs a subreaper the backend does not have yet.
	is_runc && skip "runc: exec --console-socket needs --detach (backend limitation)"
	start_streaming
	local url
	url="$(issue '{"kind":"exec","cmd":["sh","-c","sleep 1; stty size"],"tty":true}')"
	run "$STREAM_TOOL" exec --tty --size 100x37 "$url"
	[ "$status" -eq 0 ]
	[[ "$output" == *"37 100"* ]]
	url="$(issue '{"kind":"exec","cmd":["sh","-c","sleep 1; stty size; exit 4"],"tty":true}')"
	run "$STREAM_TOOL" exec --ws --tty --size 90x20 "$url"
	[ "$status" -eq 4 ]
	[[ "$output" == *"20 90"* ]]
}

@test "streaming: several concurrent streams" {
	start_streaming
	local i pids=() urls=()
	for i in 1 2 3 4 5 6; do
		urls+=("$(exec_url sh -c "sleep 1; echo stream$i; exit $i")")
	done
	for i in 1 2 3 4 5 6; do
		"$STREAM_TOOL" exec "${urls[$((i - 1))]}" >"$BATS_TEST_TMPDIR/c$i" &
		pids+=($!)
	done
	for i in 1 2 3 4 5 6; do
		local rc=0
		wait "${pids[$((i - 1))]}" || rc=$?
		[ "$rc" -eq "$i" ]
		[ "$(cat "$BATS_TEST_TMPDIR/c$i")" = "stream$i" ]
	done
}

@test "streaming: used and expired tokens are refused with 404" {
	start_streaming --ttl-ms 1000
	local url
	url="$(exec_url true)"
	run "$STREAM_TOOL" exec "$url"
	[ "$status" -eq 0 ]
	run "$STREAM_TOOL" exec "$url"
	[ "$status" -eq 255 ]
	[[ "$output" == *404*"already used"* ]]
	url="$(exec_url true)"
	sleep 1.5
	run "$STREAM_TOOL" exec --ws "$url"
	[ "$status" -eq 255 ]
	[[ "$output" == *404* ]]
	run curl -s -o /dev/null -w '%{http_code}' "${url%/exec/*}/exec/nosuchtoken"
	[ "$output" = 404 ]
}

@test "streaming: independent WebSocket client (python3-websocket)" {
	/usr/bin/python3 -c 'import websocket' 2>/dev/null || skip "python3-websocket not installed"
	start_streaming
	run /usr/bin/python3 "$BATS_TEST_DIRNAME/ws_exec.py" "$(exec_url sh -c 'echo from-ws; exit 6')"
	[ "$status" -eq 6 ]
	[[ "$output" == *from-ws* ]]
	run /usr/bin/python3 "$BATS_TEST_DIRNAME/ws_exec.py" "$(issue '{"kind":"exec","cmd":["cat"],"stdin":true}')" "piped"
	[ "$status" -eq 0 ]
	[ "$output" = piped ]
}

@test "streaming: port-forward reaches a busybox httpd in the container's network namespace" {
	command -v nsenter >/dev/null || skip "nsenter not installed"
	update_config '.root.readonly = false'
	start_streaming
	# crid brings a pod's loopback up (netns/); here the test does it.
	nsenter --net="/proc/$(container_pid "$CID")/ns/net" ip link set lo up
	"$BERTH" --root "$ROOT" exec -d "$CID" sh -c 'mkdir -p /tmp/www && echo served-in-pod >/tmp/www/index.html && httpd -p 127.0.0.1:8080 -h /tmp/www'
	local url
	url="$(issue '{"kind":"portforward","ports":[8080]}')"
	coproc PF { "$STREAM_TOOL" portforward "$url" 8080; }
	local line port
	read -r -t 10 line <&"${PF[0]}"
	port="${line#listening }"
	[ -n "$port" ]
	local i
	for i in 1 2 3; do
		run curl -s --max-time 5 "http://127.0.0.1:$port/index.html"
		[ "$output" = served-in-pod ]
	done
	eval "exec ${PF[1]}>&-"
	wait "$PF_PID" || true
}

@test "streaming: over TLS (https URLs; SPDY, WebSocket, python3-websocket; untrusted refused)" {
	command -v openssl >/dev/null || skip "openssl(1) not installed"
	local d="$BATS_TEST_TMPDIR"
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		-keyout "$d/s.key" -out "$d/s.crt" 2>/dev/null
	openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
		-keyout "$d/o.key" -out "$d/o.crt" 2>/dev/null
	start_streaming --tls-cert "$d/s.crt" --tls-key "$d/s.key"
	url="$(issue '{"kind":"exec","cmd":["sh","-c","echo out; cat; echo err >&2; exit 3"],"stdin":true}')"
	[[ "$url" == https://127.0.0.1:* ]]
	run bash -c "echo hello | '$STREAM_TOOL' exec --stdin --cacert '$d/s.crt' '$url'"
	echo "$output"
	[ "$status" -eq 3 ]
	[[ "$output" == *out* ]]
	[[ "$output" == *hello* ]]
	[[ "$output" == *err* ]]
	run "$STREAM_TOOL" exec --ws --cacert "$d/s.crt" "$(exec_url sh -c 'exit 7')"
	[ "$status" -eq 7 ]
	run bash -c "'$STREAM_TOOL' exec --cacert '$d/s.crt' '$(exec_url sh -c 'head -c 3000000 /dev/zero')' | wc -c"
	[ "$(echo $output)" = 3000000 ]
	# Both directions at once through the relays (TLS writes that would block,
	# the half-close after the last byte), and a reader that starts late.
	head -c 10485760 /dev/urandom >"$d/in"
	"$STREAM_TOOL" exec --stdin --cacert "$d/s.crt" "$(issue '{"kind":"exec","cmd":["cat"],"stdin":true}')" \
		<"$d/in" >"$d/out"
	cmp "$d/in" "$d/out"
	"$STREAM_TOOL" exec --cacert "$d/s.crt" "$(exec_url sh -c 'head -c 3145728 /dev/zero')" | (sleep 2; wc -c) >"$d/n"
	[ "$(cat "$d/n")" -eq 3145728 ]
	WS_CA_CERTS="$d/s.crt" run /usr/bin/python3 "$BATS_TEST_DIRNAME/ws_exec.py" \
		"$(issue '{"kind":"exec","cmd":["sh","-c","cat; echo done"],"stdin":true}')" from-python
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *from-python*done* ]]
	# Not trusted: a different CA, or the system store.
	run "$STREAM_TOOL" exec --cacert "$d/o.crt" "$(exec_url true)"
	[ "$status" -ne 0 ]
	[[ "$output" == *"certificate verify failed"* ]]
	run "$STREAM_TOOL" exec "$(exec_url true)"
	[ "$status" -ne 0 ]
	run "$STREAM_TOOL" exec --insecure "$(exec_url true)"
	[ "$status" -eq 0 ]
	# Plain HTTP on the TLS port.
	url="$(exec_url true)"
	run curl -sS "http://${url#https://}"
	[[ "$output" == *"Client sent an HTTP request to an HTTPS server"* ]]
}
