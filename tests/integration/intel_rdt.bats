#!/usr/bin/env bats
# linux.intelRdt. This host has no RDT hardware and no resctrl filesystem
# (no /sys/fs/resctrl at all), so the error path is checked as is (also in
# security.bats) and the group handling against a fake resctrl: each test runs
# berth in a private mount namespace whose /sys/fs is a tmpfs holding the real
# cgroup hierarchies and, at /sys/fs/resctrl, a tmpfs laid out like a resctrl
# root (info/, schemata, tasks, mon_groups/). A tmpfs does not make a group's
# files on mkdir nor check the schemas: what is tested is what berth writes
# where, and what it removes. Cache masks enforced by real hardware are not.

load helpers

# Starts the namespace holder and points $BERTH at a wrapper entering it.
fake_resctrl() {
	[ -e /sys/fs/resctrl/info ] && skip "a real resctrl is mounted here"
	command -v unshare >/dev/null && command -v nsenter >/dev/null || skip "unshare/nsenter missing (util-linux)"
	local real="$BERTH"
	real="$(command -v "$real")"
	unshare -m --propagation private sleep 600 &
	HOLDER=$!
	on_teardown kill "$HOLDER"
	local i
	for i in $(seq 50); do
		[ "$(readlink /proc/$HOLDER/ns/mnt)" != "$(readlink /proc/self/ns/mnt)" ] && break
		sleep 0.1
	done
	RESCTRL=/sys/fs/resctrl
	nsenter -t "$HOLDER" -m sh -euc '
		old=$1
		mkdir -p "$old"
		mount --rbind /sys/fs "$old"
		mount -t tmpfs -o mode=0755 sysfs-fs /sys/fs
		mkdir /sys/fs/cgroup /sys/fs/resctrl
		mount --rbind "$old/cgroup" /sys/fs/cgroup
		mount -t tmpfs -o mode=0755 fake-resctrl /sys/fs/resctrl
		cd /sys/fs/resctrl
		mkdir -p info/L3 info/MB info/L3_MON mon_groups
		echo fff >info/L3/cbm_mask; echo 1 >info/L3/min_cbm_bits; echo 16 >info/L3/num_closids
		echo 10 >info/MB/bandwidth_gran; echo 1 >info/MB/delay_linear; echo 10 >info/MB/min_bandwidth
		echo 8 >info/MB/num_closids
		printf "    L3:0=fff\n    MB:0=100\n" >schemata
		: >tasks
	' sh "$BATS_TEST_TMPDIR/oldfs"
	printf '#!/bin/sh\nexec nsenter -t %s -m -- %s "$@"\n' "$HOLDER" "$real" >"$BATS_TEST_TMPDIR/berth-in-ns"
	chmod +x "$BATS_TEST_TMPDIR/berth-in-ns"
	BERTH="$BATS_TEST_TMPDIR/berth-in-ns"
	set_args sleep 300
}

# A command in the namespace: in_ns cat /sys/fs/resctrl/schemata
in_ns() { nsenter -t "$HOLDER" -m -- "$@"; }

# A group the cluster admin made beforehand, with its own schemata.
make_clos() {
	in_ns sh -c "mkdir -p $RESCTRL/$1/mon_groups && printf '$2' >$RESCTRL/$1/schemata && : >$RESCTRL/$1/tasks"
}

@test "intelRdt without resctrl: the error names linux.intelRdt and nothing is left" {
	[ -e /sys/fs/resctrl/info ] && skip "resctrl is mounted here"
	update_config '.linux.intelRdt = {"l3CacheSchema": "L3:0=f"}'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.intelRdt: needs the resctrl filesystem mounted at /sys/fs/resctrl"* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
	run_berth features
	echo "$output" | jq -e '.linux.intelRdt.enabled == false'
}

@test "intelRdt (fake resctrl): a group named after the container gets the schemas and the pid, and goes with delete" {
	fake_resctrl
	run_berth features
	echo "$output" | jq -e '.linux.intelRdt.enabled == true'
	update_config '.linux.intelRdt = {"l3CacheSchema": "L3:0=f0\nMB:0=90", "memBwSchema": "MB:0=50", "schemata": ["L2:0=3"]}'
	create_container
	pid="$(container_pid "$CID")"
	# runtime-spec: memBwSchema replaces the MB: line of l3CacheSchema.
	[ "$(in_ns cat "$RESCTRL/$CID/schemata")" = "$(printf 'L3:0=f0\nMB:0=50\nL2:0=3')" ]
	[ "$(in_ns cat "$RESCTRL/$CID/tasks")" = "$pid" ]
	# The root group is left alone.
	[ "$(in_ns cat "$RESCTRL/schemata")" = "$(printf '    L3:0=fff\n    MB:0=100')" ]
	run_berth events --stats "$CID"
	[ "$status" -eq 0 ]
	echo "$output" | jq -e '.data.intel_rdt | .l3_cache_schema == "L3:0=f0" and .mem_bw_schema == "MB:0=50"
		and .l3_cache_schema_root == "L3:0=fff" and .l3_cache_info.cbm_mask == "fff" and .l3_cache_info.num_closids == 16
		and .mem_bw_info.min_bandwidth == 10'
	# An exec'd process is written to the group's tasks too (the fake keeps
	# only the last pid written).
	berth exec "$CID" true
	[ "$(in_ns cat "$RESCTRL/$CID/tasks")" != "$pid" ]
	berth delete --force "$CID"
	run in_ns test -e "$RESCTRL/$CID"
	[ "$status" -ne 0 ]
}

@test "intelRdt (fake resctrl): an existing closID without schemas is joined, not rewritten, and kept" {
	fake_resctrl
	make_clos gold 'L3:0=0ff\n'
	update_config '.linux.intelRdt = {"closID": "gold"}'
	create_container
	[ "$(in_ns cat "$RESCTRL/gold/tasks")" = "$(container_pid "$CID")" ]
	[ "$(in_ns cat "$RESCTRL/gold/schemata")" = "L3:0=0ff" ]
	run in_ns test -e "$RESCTRL/$CID"
	[ "$status" -ne 0 ]
	berth delete --force "$CID"
	[ "$(in_ns cat "$RESCTRL/gold/schemata")" = "L3:0=0ff" ]
}

@test "intelRdt (fake resctrl): an existing closID with matching schemas is joined, with other schemas refused" {
	fake_resctrl
	make_clos gold 'L3:0=0ff\nMB:0=100\n'
	# Masks compare as numbers: 0ff is ff.
	update_config '.linux.intelRdt = {"closID": "gold", "l3CacheSchema": "L3:0=ff"}'
	create_container
	[ "$(in_ns cat "$RESCTRL/gold/tasks")" = "$(container_pid "$CID")" ]
	berth delete --force "$CID"

	update_config '.linux.intelRdt = {"closID": "gold", "l3CacheSchema": "L3:0=f"}'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.intelRdt: group /sys/fs/resctrl/gold already exists with other schemata"* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
	[ "$(in_ns cat "$RESCTRL/gold/schemata")" = "$(printf 'L3:0=0ff\nMB:0=100')" ]
	in_ns test -d "$RESCTRL/gold"
}

@test "intelRdt (fake resctrl): a closID that does not exist, with nothing to write, is an error" {
	fake_resctrl
	update_config '.linux.intelRdt = {"closID": "nosuch"}'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.intelRdt.closID: group /sys/fs/resctrl/nosuch does not exist"* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
	run in_ns test -e "$RESCTRL/nosuch"
	[ "$status" -ne 0 ]
}

@test "intelRdt (fake resctrl): a new closID with schemas is made, written, and removed with the container" {
	fake_resctrl
	update_config '.linux.intelRdt = {"closID": "silver", "memBwSchema": "MB:0=30"}'
	create_container
	[ "$(in_ns cat "$RESCTRL/silver/schemata")" = "MB:0=30" ]
	[ "$(in_ns cat "$RESCTRL/silver/tasks")" = "$(container_pid "$CID")" ]
	berth delete --force "$CID"
	run in_ns test -e "$RESCTRL/silver"
	[ "$status" -ne 0 ]
}

@test "intelRdt (fake resctrl): enableMonitoring adds mon_groups/<id>, removed on delete" {
	fake_resctrl
	make_clos gold 'L3:0=ff\n'
	update_config '.linux.intelRdt = {"closID": "gold", "enableMonitoring": true}'
	create_container
	pid="$(container_pid "$CID")"
	[ "$(in_ns cat "$RESCTRL/gold/tasks")" = "$pid" ]
	[ "$(in_ns cat "$RESCTRL/gold/mon_groups/$CID/tasks")" = "$pid" ]
	berth delete --force "$CID"
	run in_ns test -e "$RESCTRL/gold/mon_groups/$CID"
	[ "$status" -ne 0 ]
	in_ns test -d "$RESCTRL/gold"
}

@test "intelRdt (fake resctrl): a bad memBwSchema is refused before anything is made" {
	fake_resctrl
	update_config '.linux.intelRdt = {"memBwSchema": "L3:0=f"}'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'linux.intelRdt.memBwSchema: "L3:0=f" must be one line starting with "MB:"'* ]]
	run in_ns test -e "$RESCTRL/$CID"
	[ "$status" -ne 0 ]
}

@test "update --l3-cache-schema/--mem-bw-schema without resctrl: runc's error, nothing changed" {
	[ -e /sys/fs/resctrl/info ] && skip "resctrl is mounted here"
	set_args sleep 300
	create_container
	run_berth update --l3-cache-schema "L3:0=f" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--l3-cache-schema: Intel RDT/CAT: l3 cache schema is not enabled (no /sys/fs/resctrl/info/L3)"* ]]
	run_berth update --mem-bw-schema "MB:0=50" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--mem-bw-schema: Intel RDT/MBA: memory bandwidth schema is not enabled (no /sys/fs/resctrl/info/MB)"* ]]
	[ "$(container_status "$CID")" = created ]
}

@test "update (fake resctrl): --l3-cache-schema and --mem-bw-schema rewrite the container's group" {
	fake_resctrl
	update_config '.linux.intelRdt = {"l3CacheSchema": "L3:0=f0", "memBwSchema": "MB:0=50"}'
	create_container
	[ "$(in_ns cat "$RESCTRL/$CID/schemata")" = "$(printf 'L3:0=f0\nMB:0=50')" ]
	# One resource given: its line changes, the other is kept (as resctrl
	# does with a partial write).
	berth update --l3-cache-schema "L3:0=3f" "$CID"
	[ "$(in_ns cat "$RESCTRL/$CID/schemata")" = "$(printf 'L3:0=3f\nMB:0=50')" ]
	berth update --mem-bw-schema "MB:0=20" "$CID"
	[ "$(in_ns cat "$RESCTRL/$CID/schemata")" = "$(printf 'L3:0=3f\nMB:0=20')" ]
	berth update --l3-cache-schema "L3:0=ff" --mem-bw-schema "MB:0=70" "$CID"
	[ "$(in_ns cat "$RESCTRL/$CID/schemata")" = "$(printf 'L3:0=ff\nMB:0=70')" ]
	run_berth events --stats "$CID"
	echo "$output" | jq -e '.data.intel_rdt | .l3_cache_schema == "L3:0=ff" and .mem_bw_schema == "MB:0=70"'
	# A bad line is refused and the group keeps what it had.
	run_berth update --mem-bw-schema "L3:0=1" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'--mem-bw-schema: "L3:0=1" must start with "MB:"'* ]]
	[ "$(in_ns cat "$RESCTRL/$CID/schemata")" = "$(printf 'L3:0=ff\nMB:0=70')" ]
	# The root group is never touched.
	[ "$(in_ns cat "$RESCTRL/schemata")" = "$(printf '    L3:0=fff\n    MB:0=100')" ]
}

@test "update (fake resctrl): a container without an intelRdt group, or sharing a closID, is refused" {
	fake_resctrl
	create_container
	run_berth update --l3-cache-schema "L3:0=f" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"the container has no Intel RDT group (its config has no linux.intelRdt)"* ]]
	run in_ns test -e "$RESCTRL/$CID"
	[ "$status" -ne 0 ]
	berth delete --force "$CID"

	make_clos gold 'L3:0=ff\nMB:0=100\n'
	update_config '.linux.intelRdt = {"closID": "gold"}'
	create_container
	run_berth update --mem-bw-schema "MB:0=10" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"/sys/fs/resctrl/gold is a CLOS group this container joined"* ]]
	[ "$(in_ns cat "$RESCTRL/gold/schemata")" = "$(printf 'L3:0=ff\nMB:0=100')" ]
}
