#!/usr/bin/env bats
# Pods and containers through cridctl, as an administrator drives them
# (crictl's commands and JSON files): runp, pods, inspectp, create, start, ps,
# inspect, stop, rm, stopp, rmp. The gRPC-level checks (codes, cleanup,
# namespaces) are in crid_pods.bats.
#
# Runs with $CRID_TEST_RUNTIME (default $BERTH); again with
# CRID_TEST_RUNTIME=/usr/sbin/runc for the cross-check (tests/README).
# run-all: again with runc

load crid_helpers

setup_file() { crid_setup_file; }
teardown_file() { crid_teardown_file; }

setup() {
	crid_setup
	if ! "$CRIDCTL" --help 2>&1 | grep -qw runp; then
		skip "this cridctl has no pod commands"
	fi
	start_crid
	pull_busybox
}

teardown() { crid_teardown; }

@test "cridctl: runp, create, start, ps, inspect, stop, rm, stopp, rmp" {
	pod=$(pod_json cli)
	POD=$(cridctl runp "$pod")
	[ ${#POD} -eq 64 ]
	run cridctl pods -q
	[ "$output" = "$POD" ]
	run cridctl pods --name cli -q
	[ "$output" = "$POD" ]
	run cridctl pods --name other -q
	[ -z "$output" ]
	[ "$(cridctl inspectp "$POD" | jq -r .status.state)" = SANDBOX_READY ]

	ctr=$(ctr_json app sh -c 'echo hello from app; sleep 3600')
	CTR=$(cridctl create "$POD" "$ctr" "$pod")
	[ ${#CTR} -eq 64 ]
	[ "$(cridctl inspect "$CTR" | jq -r .status.state)" = CONTAINER_CREATED ]
	cridctl start "$CTR"
	[ "$(cridctl inspect "$CTR" | jq -r .status.state)" = CONTAINER_RUNNING ]
	run cridctl ps -q
	[ "$output" = "$CTR" ]
	# Ids may be given by a unique prefix.
	[ "$(cridctl inspect "${CTR:0:12}" | jq -r .status.id)" = "$CTR" ]

	cridctl stop -t 1 "$CTR"
	[ "$(cridctl inspect "$CTR" | jq -r .status.state)" = CONTAINER_EXITED ]
	run cridctl ps -q
	[ -z "$output" ]
	run cridctl ps -a -q
	[ "$output" = "$CTR" ]
	grep -q "hello from app" "$T/logs/cli/app.log"
	cridctl rm "$CTR"
	run cridctl ps -a -q
	[ -z "$output" ]

	cridctl stopp "$POD"
	[ "$(cridctl inspectp "$POD" | jq -r .status.state)" = SANDBOX_NOTREADY ]
	cridctl rmp "$POD"
	run cridctl pods -q
	[ -z "$output" ]
}

@test "cridctl: errors name the id" {
	run cridctl inspect 0123456789abcdef
	[ "$status" -ne 0 ]
	[[ "$output" == *0123456789abcdef* ]]
	run cridctl start 0123456789abcdef
	[ "$status" -ne 0 ]
	[[ "$output" == *0123456789abcdef* ]]
	run cridctl create 0123456789abcdef "$(ctr_json x)" "$(pod_json x)"
	[ "$status" -ne 0 ]
	[[ "$output" == *0123456789abcdef* ]]
}
