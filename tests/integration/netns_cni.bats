#!/usr/bin/env bats
# netns/ with Debian's containernetworking-plugins, through tests/cni_tool (a
# test-only driver of the library, built by `make check` or `make tests/cni_tool`
# in the build dir named by BERTH_BUILD_DIR, or given as CNI_TOOL).
# Each test gets its own bridge, subnet, IPAM dir, result cache and netns dir.

setup() {
	CNI_TOOL=${CNI_TOOL:-${BERTH_BUILD_DIR:-/nonexistent}/tests/cni_tool}
	[ -x "$CNI_TOOL" ] || skip "tests/cni_tool not built (make tests/cni_tool; set BERTH_BUILD_DIR or CNI_TOOL)"
	[ "$(id -u)" -eq 0 ] || skip "needs root"
	PLUGINS=/usr/lib/cni
	for p in bridge host-local portmap; do
		[ -x "$PLUGINS/$p" ] || skip "$PLUGINS/$p missing (apt-get install containernetworking-plugins)"
	done
	BUSYBOX=$(command -v busybox) || skip "busybox is not installed"
	T=$BATS_TEST_TMPDIR
	mkdir -p "$T/net.d" "$T/ns" "$T/cache" "$T/ipam" "$T/www"
	BRIDGE="crt$$-$BATS_TEST_NUMBER"
	NET="crid-test-$$-$BATS_TEST_NUMBER"
	SUBNET_PREFIX="10.88.$((70 + BATS_TEST_NUMBER))"
	IDS=()
	PIDS=()
}

teardown() {
	[ -n "${T:-}" ] || return 0
	local pid id ns
	for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; done
	for id in "${IDS[@]}"; do tool del "$id" || true; done
	for ns in "$T"/ns/*; do [ -e "$ns" ] && tool netns-del "$ns"; done
	ip link del "$BRIDGE" 2>/dev/null || true
	cleanup_hostport_chains
}

tool() {
	"$CNI_TOOL" --config-dir "$T/net.d" --cache-dir "$T/cache" --plugin-dir "$PLUGINS" "$@"
}

# new_id VAR: a fresh 64-hex id in VAR, remembered for teardown (no $(...):
# a subshell would lose IDS).
new_id() {
	local new_
	new_=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	IDS+=("$new_")
	printf -v "$1" '%s' "$new_"
}

# bridge + host-local (+ whatever follows) on the test's private range.
write_config() {
	local extra="$1"
	cat >"$T/net.d/10-test.conflist" <<-EOF
	{"cniVersion": "1.0.0", "name": "$NET", "plugins": [
	  {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false,
	   "ipam": {"type": "host-local", "dataDir": "$T/ipam",
	            "ranges": [[{"subnet": "$SUBNET_PREFIX.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}}
	  $extra
	]}
	EOF
}

portmap='{"type": "portmap", "capabilities": {"portMappings": true}}'

# portmap's shared top-level chains, once no rule of anyone is left in them.
cleanup_hostport_chains() {
	iptables -t nat -S CNI-HOSTPORT-DNAT 2>/dev/null | grep -q -- '^-A' && return 0
	iptables -t nat -D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null
	iptables -t nat -D OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT 2>/dev/null
	iptables -t nat -D POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ 2>/dev/null
	local c
	for c in CNI-HOSTPORT-DNAT CNI-HOSTPORT-MASQ CNI-HOSTPORT-SETMARK; do
		iptables -t nat -F "$c" 2>/dev/null
		iptables -t nat -X "$c" 2>/dev/null
	done
	return 0
}

ips_of() { # the JSON cni_tool printed -> its first IP
	sed -n 's/.*"ips":\["\([^"]*\)".*/\1/p' <<<"$1"
}

# ('! cmd' does not fail a Bats test, hence the [ -z ... ] forms.)
# Nothing of id is left: no cache entry, no IPAM reservation, no veth on the
# bridge, no iptables rule naming it.
assert_nothing_left() {
	local id
	[ -z "$(ls -A "$T/cache" 2>/dev/null)" ]
	[ -z "$(ls "$T/ipam/$NET" 2>/dev/null | grep -v -e '^lock$' -e '^last_reserved_ip')" ]
	[ -z "$(ip -o link show master "$BRIDGE" 2>/dev/null)" ]
	for id in "${IDS[@]}"; do
		[ -z "$(iptables-save 2>/dev/null | grep "$id")" ]
	done
}

@test "status: not ready without a CNI config, ready once one appears" {
	run tool status
	[ "$status" -eq 0 ]
	[[ "$output" == *'"ready":false'* ]]
	[[ "$output" == *'"reason":"NetworkPluginNotReady"'* ]]
	[[ "$output" == *"no CNI network config in $T/net.d"* ]]

	new_id id
	run tool add "$id" /nonexistent/ns
	[ "$status" -ne 0 ]
	[[ "$output" == *"no CNI network config in $T/net.d"* ]]

	write_config ""
	run tool status
	[ "$status" -eq 0 ]
	[[ "$output" == *'"ready":true'* ]]
	[[ "$output" == *"\"network\":\"$NET\""* ]]

	echo '{"name": "broken", "plugins": [{"bridge": "x"}]}' >"$T/net.d/05-broken.conflist"
	run tool status
	[[ "$output" == *'"ready":false'* ]]
	[[ "$output" == *"05-broken.conflist: plugins[0]: missing"* ]]
}

@test "two pinned netns get addresses on the bridge and reach each other" {
	write_config ""
	local a b out_a out_b ip_a ip_b
	new_id a
	new_id b
	tool netns-add "$T/ns/a"
	tool netns-add "$T/ns/b"
	grep -q " $T/ns/a " /proc/self/mountinfo
	# loopback is up in a fresh pinned namespace
	nsenter --net="$T/ns/a" "$BUSYBOX" ping -c 1 -W 2 127.0.0.1

	out_a=$(tool add "$a" "$T/ns/a" --name pod-a --namespace ns1)
	out_b=$(tool add "$b" "$T/ns/b" --name pod-b --namespace ns1)
	ip_a=$(ips_of "$out_a")
	ip_b=$(ips_of "$out_b")
	[[ "$ip_a" == "$SUBNET_PREFIX".* ]]
	[[ "$ip_b" == "$SUBNET_PREFIX".* ]]
	[ "$ip_a" != "$ip_b" ]
	nsenter --net="$T/ns/a" ip -o -4 addr show eth0 | grep -q "$ip_a/24"

	nsenter --net="$T/ns/a" "$BUSYBOX" ping -c 1 -W 2 "$ip_b"
	nsenter --net="$T/ns/b" "$BUSYBOX" ping -c 1 -W 2 "$ip_a"

	# the cache answers for the pod (what PodSandboxStatus will use) and CHECK passes
	run tool cached "$a"
	[ "$(ips_of "$output")" = "$ip_a" ]
	tool check "$a"
	[ -f "$T/ipam/$NET/$ip_a" ]
}

@test "a hostPort reaches busybox httpd in the pod from the host on 127.0.0.1" {
	write_config ", $portmap"
	local id out ip port=$((18000 + BATS_TEST_NUMBER * 10 + $$ % 10))
	new_id id
	tool netns-add "$T/ns/web"
	out=$(tool add "$id" "$T/ns/web" --port "$port:8080/tcp")
	ip=$(ips_of "$out")
	echo "hello from the pod" >"$T/www/index.html"
	nsenter --net="$T/ns/web" "$BUSYBOX" httpd -f -p 8080 -h "$T/www" &
	PIDS+=($!)
	local i
	for i in $(seq 50); do
		nsenter --net="$T/ns/web" "$BUSYBOX" nc -z 127.0.0.1 8080 2>/dev/null && break
		sleep 0.1
	done
	# portmap sets route_localnet on the bridge and masquerades 127.0.0.1 sources,
	# so the host's loopback reaches the DNAT target.
	run curl -fsS -m 5 "http://127.0.0.1:$port/"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from the pod" ]
	run curl -fsS -m 5 "http://$ip:8080/"
	[ "$output" = "hello from the pod" ]
	iptables-save -t nat | grep -q "id: \\\\\"$id\\\\\""
}

@test "teardown leaves no netns, veth, IPAM reservation, cache entry or iptables rule; again is fine" {
	write_config ", $portmap"
	local a b port=$((18000 + BATS_TEST_NUMBER * 10 + $$ % 10))
	new_id a
	new_id b
	tool netns-add "$T/ns/a"
	tool netns-add "$T/ns/b"
	tool add "$a" "$T/ns/a" --port "$port:80"
	tool add "$b" "$T/ns/b"
	[ "$(ip -o link show master "$BRIDGE" | wc -l)" -eq 2 ]
	iptables-save -t nat | grep -q "$a"

	tool del "$a"
	tool del "$b"
	tool netns-del "$T/ns/a"
	tool netns-del "$T/ns/b"
	assert_nothing_left
	[ -z "$(grep " $T/ns/" /proc/self/mountinfo)" ]
	[ ! -e "$T/ns/a" ]

	# idempotent: nothing cached, nothing pinned
	tool del "$a"
	tool netns-del "$T/ns/a"
}

@test "a failing ADD (a plugin that does not exist) is rolled back and leaves nothing" {
	write_config ', {"type": "no-such-plugin"}'
	run tool status
	[[ "$output" == *'"ready":false'* ]]
	[[ "$output" == *'no executable \"no-such-plugin\"'* ]]

	local id
	new_id id
	tool netns-add "$T/ns/x"
	run tool add "$id" "$T/ns/x"
	[ "$status" -ne 0 ]
	[[ "$output" == *"CNI ADD of network \"$NET\": plugin no-such-plugin: no executable \"no-such-plugin\" in the CNI plugin dirs ($PLUGINS)"* ]]
	assert_nothing_left
	run nsenter --net="$T/ns/x" ip link show eth0
	[ "$status" -ne 0 ]
	tool netns-del "$T/ns/x"
}

@test "a plugin's error object is reported with the plugin's name" {
	# host-local refuses a range that has no room: its error comes back, and bridge is undone.
	cat >"$T/net.d/10-test.conflist" <<-EOF
	{"cniVersion": "1.0.0", "name": "$NET", "plugins": [
	  {"type": "bridge", "bridge": "$BRIDGE", "ipam": {"type": "host-local", "dataDir": "$T/ipam",
	   "ranges": [[{"subnet": "$SUBNET_PREFIX.0/24", "rangeStart": "$SUBNET_PREFIX.9", "rangeEnd": "$SUBNET_PREFIX.9"}]]}}]}
	EOF
	local a b
	new_id a
	new_id b
	tool netns-add "$T/ns/a"
	tool netns-add "$T/ns/b"
	tool add "$a" "$T/ns/a"
	run tool add "$b" "$T/ns/b"
	[ "$status" -ne 0 ]
	[[ "$output" == *"CNI ADD of network \"$NET\": plugin bridge: "*"no IP addresses available"* ]]
	[ -z "$(ls -A "$T/cache" | grep "$b")" ]
	[ "$(ip -o link show master "$BRIDGE" | wc -l)" -eq 1 ]
}
