#!/usr/bin/env bats
# berth --systemd-cgroup. On this host (no systemd as PID 1) only the error
# path can be seen; the driver itself is tested in the cgroup v2 qemu guest
# booted with systemd 252 as PID 1 (v2vm/run-in-guest.sh --systemd): the
# guest runs v2vm/guest-systemd-checks.sh once and each test checks its
# recorded results.

load helpers
load v2vm/guest-setup

# Boots the guest only for the tests that need it, once.
guest_results() {
	if [ ! -f "$BATS_FILE_TMPDIR/guest-done" ]; then
		v2vm_prepare
		V2VM_TIMEOUT=170 "$V2VM_DIR/run-in-guest.sh" --systemd "$GUEST" "$WORK" 'bash ./guest-systemd-checks.sh' \
			>"$WORK/guest.log" 2>&1 || { cat "$WORK/guest.log" >&2; return 1; }
		touch "$BATS_FILE_TMPDIR/guest-done"
	fi
	GUEST="$BATS_FILE_TMPDIR/guest"
	WORK="$BATS_FILE_TMPDIR/work"
}

teardown_file() {
	rm -rf "${BATS_FILE_TMPDIR:?}/guest" "${BATS_FILE_TMPDIR:?}/work"
}

@test "systemd-cgroup: without a systemd bus, a clear error and nothing left" {
	if [ -S /run/systemd/private ] || [ -S /run/dbus/system_bus_socket ]; then
		skip "this host has a D-Bus socket: the no-bus error cannot be seen here"
	fi
	update_config '.linux.cgroupsPath = "system.slice:berth:'"$CID"'"'
	run_berth --systemd-cgroup create "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"--systemd-cgroup: cannot connect to systemd over D-Bus (is systemd running as PID 1?): No such file or directory"* ]]
	[ ! -e "$ROOT/$CID" ]
	run_berth list -q
	[ -z "$output" ]
}

@test "systemd-cgroup: a scope with Delegate, the resource properties and the files" {
	guest_results
	echo "run: $(result sd1.rc) $(result sd1.out)"
	result sd1.props
	[ "$(result sd1.rc)" = 0 ]
	[ "$(result sd1.out)" = "max=67108864 pids=30 high=52428800" ]
	run result sd1.props
	[[ "$output" == *"active=active"* ]]
	[[ "$output" == *"slice=system.slice"* ]]
	[[ "$output" == *"delegate=yes"* ]]
	[[ "$output" == *"cgroup=/system.slice/berth-sd1.scope"* ]]
	[[ "$output" == *"MemoryMax=67108864"* ]]
	[[ "$output" == *"TasksMax=30"* ]]
	[[ "$output" == *"CPUWeight=10000"* ]]
	[[ "$output" == *"CPUQuotaPerSecUSec=500ms"* ]]
	[[ "$output" == *'files=67108864 30 50000 100000 10000 52428800'* ]]
	# the container's init is the scope's one process
	[[ "$output" =~ procs=1\ init=([0-9]+)\ first=([0-9]+) ]]
	[ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ]
}

@test "systemd-cgroup: update goes to systemd and to the files" {
	guest_results
	result sd1.update
	run result sd1.update
	[[ "$output" == *"rc=0 MemoryMax=104857600 TasksMax=40 file=104857600"* ]]
}

@test "systemd-cgroup: delete stops the scope and its cgroup goes" {
	guest_results
	result sd1.delete
	run result sd1.delete
	[[ "$output" == *"rc=0 load=not-found active=inactive dir=removed"* ]]
}

@test "systemd-cgroup: empty cgroupsPath is system.slice:berth:<id>" {
	guest_results
	[ "$(result sd2.rc)" = 0 ]
	[ "$(result sd2.out)" = "0::/system.slice/berth-sd2.scope" ] || [ "$(result sd2.out)" = "0::/" ]
	[ "$(result sd2.after)" = "load=not-found dir=removed" ]
}

@test "systemd-cgroup: a name ending in .slice makes a slice" {
	guest_results
	echo "$(result sd3.rc) $(result sd3.out) $(result sd3.after)"
	[ "$(result sd3.rc)" = 0 ]
	[[ "$(result sd3.out)" == *"pids=12"* ]]
	[[ "$(result sd3.after)" == *"dir=removed"* ]]
}

@test "systemd-cgroup: a cgroupfs path is refused, naming the syntax" {
	guest_results
	[ "$(result sd4.rc)" != 0 ]
	[[ "$(result sd4.out)" == *'linux.cgroupsPath: "/not/systemd" is not "slice:prefix:name"'* ]]
	run result list
	[[ "$output" != *sd4* ]]
	# no unit of berth's is left (the parent berth.slice systemd made for
	# berth-sd3.slice stays, as it does for runc)
	run result units
	echo "$output"
	[[ "$output" != *berth-sd* ]]
}
