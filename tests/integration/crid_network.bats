#!/usr/bin/env bats
# Pod networking in crid through CNI (Debian's containernetworking-plugins):
# a pinned netns per pod under --state, bridge + host-local + portmap on a
# private range, PodSandboxStatus IPs, NetworkReady, teardown that leaves
# nothing, a failing ADD rolled back, and a crid restart with networked pods.
# Each test has its own bridge, subnet, CNI config dir, result cache and
# host-local dataDir, all under the test's dir.
#
# Runs with $CRID_TEST_RUNTIME (default $BERTH); again with
# CRID_TEST_RUNTIME=/usr/sbin/runc for the cross-check (tests/README).
# run-all: again with runc

load crid_helpers

setup_file() { crid_setup_file; }
teardown_file() { crid_teardown_file; }

setup() {
	crid_setup
	PLUGINS=/usr/lib/cni
	for p in bridge host-local portmap loopback; do
		[ -x "$PLUGINS/$p" ] || skip "$PLUGINS/$p missing (apt-get install containernetworking-plugins)"
	done
	command -v iptables >/dev/null || skip "iptables is not installed"
	mkdir -p "$T/net.d" "$T/ipam" "$T/cni-cache"
	BRIDGE="crn$$-$BATS_TEST_NUMBER"
	NET="crid-net-$$-$BATS_TEST_NUMBER"
	SUBNET_PREFIX="10.88.$((90 + BATS_TEST_NUMBER))"
	HOST_PORT=$((19000 + BATS_TEST_NUMBER * 10 + $$ % 10))
	POD_IDS=()
}

teardown() {
	local rc=0
	crid_teardown || rc=1
	ip link del "$BRIDGE" 2>/dev/null || true
	[ -z "${DUMMY:-}" ] || ip link del "$DUMMY" 2>/dev/null || true
	cleanup_hostport_chains
	return $rc
}

start_net_crid() {
	start_crid --cni-config-dir "$T/net.d" --cni-plugin-dir "$PLUGINS" --cni-cache-dir "$T/cni-cache" "$@"
}

# bridge + host-local + portmap on the test's private range (EXTRA: more plugins).
write_config() {
	local extra="${1:-}"
	cat >"$T/net.d/10-test.conflist" <<-EOF
	{"cniVersion": "1.0.0", "name": "$NET", "plugins": [
	  {"type": "bridge", "bridge": "$BRIDGE", "isGateway": true, "ipMasq": false,
	   "ipam": {"type": "host-local", "dataDir": "$T/ipam",
	            "ranges": [[{"subnet": "$SUBNET_PREFIX.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
	  {"type": "portmap", "capabilities": {"portMappings": true}}
	  $extra
	]}
	EOF
}

# portmap's shared top-level chains, once no rule of anyone is left in them
# (as in netns_cni.bats).
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

# run_net_pod NAME [JQ]: run_pod, remembering the id for the leftover checks.
run_net_pod() {
	run_pod "$@" || return 1
	POD_IDS+=("$POD")
}

pod_ip() {
	cri PodSandboxStatus "{\"podSandboxId\": \"$1\"}" | jq -r '.status.network.ip'
}

network_ready() {
	cri Status | jq -r '.status.conditions[] | select(.type == "NetworkReady") | "\(.status) \(.reason) \(.message)"'
}

# A busybox httpd on port 8080 of the current pod serving TEXT.
run_httpd() {
	run_ctr "$1" sh -c "mkdir -p /tmp/www && echo '$2' >/tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www"
}

# wait_http URL: until it answers (5s); prints the body.
wait_http() {
	local i
	for i in $(seq 50); do
		curl -fsS -m 2 "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	curl -fsS -m 2 "$1"
}

stop_remove() {
	cri StopPodSandbox "{\"podSandboxId\": \"$1\"}" >/dev/null
	cri RemovePodSandbox "{\"podSandboxId\": \"$1\"}" >/dev/null
}

# Nothing of the test's pods is left: no netns pinned under the state dir, no
# veth on the bridge, no host-local reservation, no cached result, no iptables
# rule naming a pod. ('! cmd' does not fail a Bats test, hence [ -z ... ].)
assert_nothing_left() {
	local id
	[ -z "$(grep " $T/state/netns/" /proc/self/mountinfo)" ]
	[ -z "$(ls -A "$T/state/netns" 2>/dev/null)" ]
	[ -z "$(ip -o link show master "$BRIDGE" 2>/dev/null)" ]
	[ -z "$(ls "$T/ipam/$NET" 2>/dev/null | grep -v -e '^lock$' -e '^last_reserved_ip')" ]
	[ -z "$(ls -A "$T/cni-cache" 2>/dev/null)" ]
	for id in "${POD_IDS[@]}"; do
		[ -z "$(iptables-save 2>/dev/null | grep "$id")" ]
	done
}

@test "crid network: two pods reach each other by IP; PodSandboxStatus reports the IP" {
	write_config
	start_net_crid
	pull_busybox

	run_net_pod server
	server=$POD
	ip_b=$(pod_ip "$server")
	[[ "$ip_b" == "$SUBNET_PREFIX".* ]]
	[ -e "$T/state/netns/$server" ]
	grep -q " $T/state/netns/$server " /proc/self/mountinfo
	[ -f "$T/ipam/$NET/$ip_b" ]
	run_httpd web "hello from pod b"

	run_net_pod client
	ip_a=$(pod_ip "$POD")
	[[ "$ip_a" == "$SUBNET_PREFIX".* ]]
	[ "$ip_a" != "$ip_b" ]
	run_ctr fetch sh -c "ip -o -4 addr show eth0; for i in \$(seq 50); do wget -q -O - http://$ip_b:8080/ && exit 0; sleep 0.1; done; exit 1"
	wait_ctr_state "$CTR" CONTAINER_EXITED
	run log_lines "$T/logs/client/fetch.log"
	echo "$output"
	[[ "$output" == *"hello from pod b"* ]]
	[[ "$output" == *"inet $ip_a/24"* ]]
	[ "$(ctr_status "$CTR" | jq -r .status.exitCode)" = 0 ]
	# The pod's containers are in its pinned namespace.
	run nsenter --net="$T/state/netns/$POD" ip -o -4 addr show eth0
	[[ "$output" == *"inet $ip_a/24"* ]]
}

@test "crid network: a hostPort reaches busybox httpd in a pod from the host on 127.0.0.1" {
	write_config
	start_net_crid
	pull_busybox
	run_net_pod web ".port_mappings = [{protocol: \"TCP\", container_port: 8080, host_port: $HOST_PORT}]"
	run_httpd httpd "hello through the host port"
	run wait_http "http://127.0.0.1:$HOST_PORT/"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "hello through the host port" ]
	run curl -fsS -m 5 "http://$(pod_ip "$POD"):8080/"
	[ "$output" = "hello through the host port" ]
	iptables-save -t nat | grep -q "$POD"
}

@test "crid network: a host-network pod sees the host's interfaces and gets no netns" {
	write_config
	start_net_crid
	pull_busybox
	# Other tests on this host add and remove links at any time: look for a
	# link of this test's own and the host's default-route link.
	DUMMY="crd$$-$BATS_TEST_NUMBER"
	ip link add "$DUMMY" type veth peer name "${DUMMY}p"
	uplink=$(ip -o route show default | awk '{for (i = 1; i < NF; i++) if ($i == "dev") print $(i + 1)}' | head -1)
	run_net_pod hostnet '.linux.security_context.namespace_options.network = "NODE"'
	run_ctr links sh -c 'ls /sys/class/net; busybox readlink /proc/self/ns/net'
	wait_ctr_state "$CTR" CONTAINER_EXITED
	run log_lines "$T/logs/hostnet/links.log"
	echo "$output"
	grep -qx "$DUMMY" <<<"$output"
	[ -z "$uplink" ] || grep -qx "$uplink" <<<"$output"
	grep -qxF "$(readlink /proc/self/ns/net)" <<<"$output"
	[ -z "$(ls -A "$T/state/netns" 2>/dev/null)" ]
	[ "$(pod_ip "$POD")" = "" ]
	[ -z "$(ls -A "$T/cni-cache" 2>/dev/null)" ]
}

@test "crid network: NetworkReady is false while the config dir is empty, true once a config appears" {
	start_net_crid
	pull_busybox
	run network_ready
	echo "$output"
	[[ "$output" == "false NetworkPluginNotReady "*"no CNI network config in $T/net.d"* ]]
	# No pod network: a non-host-network pod cannot run, and leaves nothing.
	run run_net_pod early
	[ "$status" -ne 0 ]
	[[ "$output" == *"no CNI network config in $T/net.d"* ]]
	[ "$(cri ListPodSandbox | jq '.items | length')" = 0 ]
	[ -z "$(ls -A "$T/state/netns" 2>/dev/null)" ]

	write_config
	run network_ready
	echo "$output"
	[[ "$output" == "true "* ]]
	run_net_pod later
	[[ "$(pod_ip "$POD")" == "$SUBNET_PREFIX".* ]]
}

@test "crid network: after StopPodSandbox and RemovePodSandbox nothing remains; both again are fine" {
	write_config
	start_net_crid
	pull_busybox
	run_net_pod a ".port_mappings = [{protocol: \"TCP\", container_port: 80, host_port: $HOST_PORT}]"
	a=$POD
	run_ctr sleeper sleep 3600
	run_net_pod b
	b=$POD
	[ "$(ip -o link show master "$BRIDGE" | wc -l)" -eq 2 ]
	iptables-save -t nat | grep -q "$a"
	[ "$(ls -A "$T/cni-cache" | wc -l)" -ge 2 ]

	cri StopPodSandbox "{\"podSandboxId\": \"$a\"}" >/dev/null
	# Stopped: no IP reported, its network is gone already.
	[ "$(pod_ip "$a")" = "" ]
	[ ! -e "$T/state/netns/$a" ]
	[ -z "$(iptables-save | grep "$a")" ]
	[ "$(ip -o link show master "$BRIDGE" | wc -l)" -eq 1 ]
	cri StopPodSandbox "{\"podSandboxId\": \"$a\"}" >/dev/null
	cri RemovePodSandbox "{\"podSandboxId\": \"$a\"}" >/dev/null
	# Removed without a stop first: the remove tears the network down.
	cri RemovePodSandbox "{\"podSandboxId\": \"$b\"}" >/dev/null
	cri RemovePodSandbox "{\"podSandboxId\": \"$b\"}" >/dev/null
	assert_nothing_left
}

@test "crid network: a failing ADD fails RunPodSandbox naming the plugin and leaves nothing" {
	write_config ', {"type": "no-such-plugin"}'
	start_net_crid
	run network_ready
	[[ "$output" == "false NetworkPluginNotReady "*"no-such-plugin"* ]]
	pod=$(pod_json broken)
	run cri RunPodSandbox "{\"config\": $(cat "$pod")}"
	echo "$output"
	[ "$status" -ne 0 ]
	[[ "$output" == *"plugin no-such-plugin: no executable \"no-such-plugin\""* ]]
	[ "$(cri ListPodSandbox | jq '.items | length')" = 0 ]
	[ -z "$(ls -A "$T/state/sandboxes" 2>/dev/null)" ]
	[ -z "$(pgrep -f "^$CRID_LIBEXEC/crid-monitor .*$T/")" ]
	[ -z "$(ls -A "$T/state/runtime/default" 2>/dev/null)" ]
	assert_nothing_left
	[ -z "$(iptables-save | grep -e "$NET")" ]
}

@test "crid network: a networked pod survives kill -9 of crid; its teardown after the restart uses the cache" {
	write_config
	start_net_crid
	pull_busybox
	run_net_pod survivor ".port_mappings = [{protocol: \"TCP\", container_port: 8080, host_port: $HOST_PORT}]"
	ip=$(pod_ip "$POD")
	run_httpd httpd "still here"
	[ "$(wait_http "http://$ip:8080/")" = "still here" ]

	kill_crid
	# Rewritten config: DEL must use what ADD used, from the cache.
	rm "$T/net.d/10-test.conflist"
	start_net_crid
	[ "$(cri PodSandboxStatus "{\"podSandboxId\": \"$POD\"}" | jq -r .status.state)" = SANDBOX_READY ]
	[ "$(pod_ip "$POD")" = "$ip" ]
	[ "$(curl -fsS -m 5 "http://$ip:8080/")" = "still here" ]
	[ "$(curl -fsS -m 5 "http://127.0.0.1:$HOST_PORT/")" = "still here" ]

	stop_remove "$POD"
	assert_nothing_left
}

@test "crid network: a pod run interrupted by a crash after ADD is torn down at restart" {
	write_config
	CRID_TEST_CRASH_AT=run-sandbox start_net_crid
	pod=$(pod_json halfway ".port_mappings = [{protocol: \"TCP\", container_port: 80, host_port: $HOST_PORT}]")
	run cri RunPodSandbox "{\"config\": $(cat "$pod")}"
	[ "$status" -eq 1 ]
	crid_crashed
	# What the run made is there while crid is down...
	[ "$(ls -A "$T/state/netns" | wc -l)" = 1 ]
	POD_IDS+=("$(ls -A "$T/state/netns")")
	[ "$(ip -o link show master "$BRIDGE" | wc -l)" -eq 1 ]

	start_net_crid
	# ...and gone after the restart: DEL from the cache, namespace unpinned.
	[ "$(cri ListPodSandbox | jq '.items | length')" = 0 ]
	assert_nothing_left
}
