#!/usr/bin/env bats
# linux.netDevices: a host interface moved into the container's network
# namespace, renamed as asked, seen from inside and gone from the host.

load helpers

# A virtual interface of this test's own ($1: a prefix, so names sort as the
# test needs): a dummy, or where the kernel has no dummy driver one end of a
# veth pair (its peer stays on the host). teardown deletes it if it is still
# on the host; a container's namespace destroys it with itself (a veth pair
# goes as a whole).
make_dummy() {
	DUMMY="${1:-bdum}${BATS_SUITE_TEST_NUMBER:-0}x$((RANDOM % 10000))"
	on_teardown ip link delete "$DUMMY"
	ip link add "$DUMMY" type dummy 2>/dev/null ||
		ip link add "$DUMMY" type veth peer name "${DUMMY}p"
}

@test "linux.netDevices moves a host interface in, renamed, with its address" {
	make_dummy
	ip addr add 192.0.2.7/24 dev "$DUMMY"
	update_config --arg d "$DUMMY" '.linux.netDevices = {($d): {"name": "ctr0"}}'
	set_args sh -c 'ip link show ctr0 && ip addr show ctr0 && sleep 1000'
	create_container
	# Gone from the host as soon as create returns.
	run ip link show "$DUMMY"
	[ "$status" -ne 0 ]
	run nsenter -t "$(container_pid "$CID")" -n ip -o addr show ctr0
	[ "$status" -eq 0 ]
	[[ "$output" == *"192.0.2.7/24"* ]]
	berth start "$CID"
	for _ in $(seq 50); do
		grep -q 'inet 192.0.2.7/24' "$CTR_STDOUT" && break
		sleep 0.1
	done
	grep -q 'ctr0' "$CTR_STDOUT"
	grep -q 'state UP\|,UP' "$CTR_STDOUT"
	grep -q 'inet 192.0.2.7/24' "$CTR_STDOUT" || fail "no address inside: $(cat "$CTR_STDOUT")"
	berth delete --force "$CID"
	# A virtual device dies with the namespace.
	run ip link show "$DUMMY"
	[ "$status" -ne 0 ]
	run ip link show ctr0
	[ "$status" -ne 0 ]
}

@test "linux.netDevices without a name keeps the host name inside" {
	make_dummy
	update_config --arg d "$DUMMY" '.linux.netDevices = {($d): {}}'
	run_in_container ip -o link show "$DUMMY"
	[ "$status" -eq 0 ]
	[[ "$output" == *"$DUMMY"* ]]
}

@test "a missing host interface is an error naming the entry, with nothing left behind" {
	update_config '.linux.netDevices = {"bnodev9": {"name": "ctr0"}}'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'linux.netDevices["bnodev9"]: no network interface "bnodev9" on the host'* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
}

@test "a bad interface name is an error naming the field; the host interface stays" {
	make_dummy
	update_config --arg d "$DUMMY" '.linux.netDevices = {($d): {"name": "bad/name"}}'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.netDevices"*"invalid network interface name"*"bad/name"* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
	ip link show "$DUMMY"
}

@test "a move that fails after clone puts the moved interfaces back under their host names" {
	make_dummy bda
	local first="$DUMMY"
	make_dummy bdb
	local second="$DUMMY"
	# The kernel refuses the second rename inside ("lo" exists there); the
	# first interface, moved already, must come back.
	update_config --arg a "$first" --arg b "$second" \
		'.linux.netDevices = {($a): {"name": "ctra"}, ($b): {"name": "lo"}}'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.netDevices[\"$second\"]"*"as lo"* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
	ip link show "$first"
	ip link show "$second"
}

@test "linux.netDevices without a network namespace is refused" {
	make_dummy
	update_config --arg d "$DUMMY" '.linux.netDevices = {($d): {}} | .linux.namespaces |= map(select(.type != "network"))'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.netDevices: requires a network namespace"* ]]
	ip link show "$DUMMY"
}
