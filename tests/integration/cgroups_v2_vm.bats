#!/usr/bin/env bats
# cgroup v2 limits for real: this host's cgroup2 mount has only hugetlb, so the
# installed berth runs in a qemu guest booted with cgroup_no_v1=all (every v2
# controller; see v2vm/). The guest boots once for the whole file and runs
# v2vm/guest-v2-checks.sh; each test checks one case's recorded results:
# values read back inside the container, limits enforced, cgroup removed.

load helpers
load v2vm/guest-setup

setup_file() {
	v2vm_prepare
	V2VM_TIMEOUT=240 "$V2VM_DIR/run-in-guest.sh" "$GUEST" "$WORK" 'bash ./guest-v2-checks.sh' \
		>"$WORK/guest.log" 2>&1 || { cat "$WORK/guest.log" >&2; return 1; }
}

teardown_file() {
	rm -rf "${BATS_FILE_TMPDIR:?}/guest" "${BATS_FILE_TMPDIR:?}/work"
}

# No per-test container on the host: the default setup/teardown are not needed.
setup() { :; }
teardown() { :; }

# check NAME: the case ran, berth exited 0, and delete removed its cgroup.
check_ok() {
	echo "$1: rc=$(result "$1.rc") output: $(result "$1.out")"
	[ "$(result "$1.rc")" = 0 ]
	[ "$(result "$1.cgroup")" = removed ]
}

@test "v2 guest: every controller is there" {
	run result controllers
	for c in cpuset cpu io memory pids; do [[ "$output" == *"$c"* ]]; done
}

@test "v2 guest: memory.max, memory.low and memory.swap.max" {
	check_ok memory
	# swap is memory+swap in the config, swap alone in memory.swap.max
	[ "$(result memory.out)" = "max=67108864 low=33554432 swap=33554432" ]
}

@test "v2 guest: memory.max is enforced by the OOM killer" {
	check_ok oom
	run result oom.out
	[[ "$output" == *"tail=137"* ]]
	[[ "$output" =~ oom_kill\ [1-9] ]]
}

@test "v2 guest: cpu.weight from shares, cpu.max, cpu.max.burst, cpu.idle" {
	check_ok cpu
	[ "$(result cpu.out)" = 'weight=10000 max="50000 100000" burst=10000' ]
	check_ok cpuidle
	[ "$(result cpuidle.out)" = "idle=1" ]
}

@test "v2 guest: pids.max stops a fork loop" {
	check_ok pids || [ "$(result pids.rc)" = 137 ]
	run result pids.out
	[[ "$output" == *"max=20 "* ]]
	current=$(sed -n 's/.*current=\([0-9]*\).*/\1/p' <<<"$output")
	[ "$current" -le 20 ]
	[[ "$output" =~ events=\"max\ [1-9] ]]
}

@test "v2 guest: io.weight from blockIO.weight" {
	check_ok io
	[ "$(result io.out)" = 'weight="default 4950"' ]
}

@test "v2 guest: cpuset.cpus and cpuset.mems, seen by the process" {
	check_ok cpuset
	[ "$(result cpuset.out)" = "cpus=1 mems=0 allowed=1" ]
}

@test "v2 guest: the unified map is written as is" {
	check_ok unified
	[ "$(result unified.out)" = "high=52428800 pids=7" ]
}

@test "v2 guest: hugetlb limits, with the reservation limit beside them" {
	check_ok hugetlb
	[ "$(result hugetlb.out)" = "max=4194304 rsvd=4194304" ]
}

@test "v2 guest: io.max throttles on a loop device" {
	[ -s "$WORK/results/loopdev" ] || skip "the guest could not set up a loop device: $(result loop.err)"
	check_ok iomax
	[ "$(result iomax.out)" = "$(result loopdev) rbps=1048576 wbps=max riops=max wiops=100" ]
}

@test "v2 guest: the eBPF device program denies a device without a rule and allows one with it" {
	[ -s "$WORK/results/loopdev" ] || skip "the guest could not set up a loop device: $(result loop.err)"
	check_ok devdeny
	# refused at open (EPERM from the program), while the defaults still work
	[ "$(result devdeny.out)" = "$(printf 'head: /dev/testdisk: Operation not permitted\nread=1\nzero=0')" ]
	check_ok devallow
	# the rule allows reading only
	[[ "$(result devallow.out)" == *"read=0"*"write=1" ]]
}

@test "v2 guest: without linux.resources the eBPF program still holds the default list" {
	[ -s "$WORK/results/loopdev" ] || skip "the guest could not set up a loop device: $(result loop.err)"
	check_ok devdefault
	# mknod is allowed for any node (runc's "b *:* m"), the open is not
	[ "$(result devdefault.out)" = "$(printf 'made=0\nhead: /dev/blk: Operation not permitted\nread=1\nnull=0')" ]
}

@test "v2 guest: a deny of c 1:3 blocks /dev/null only when the config lists /dev/null itself" {
	check_ok devnull
	[[ "$(result devnull.out)" == *"/dev/null"*"Operation not permitted"*"null=1" ]]
	check_ok devnullkept
	[ "$(result devnullkept.out)" = null=0 ]
}

@test "v2 guest: pause freezes through cgroup.freeze, resume thaws, kill --all empties the cgroup" {
	echo "freeze: $(result freeze.out); kill: $(result kill.out)"
	[ "$(result freeze.out)" = "status=paused frozen 1 stopped=yes moves=yes" ]
	[ "$(result kill.out)" = "before=3 after=0" ]
	[ "$(result freeze.cgroup)" = removed ]
}

@test "v2 guest: berth events reports the OOM kill" {
	run result oomev.out
	echo "$output"
	[[ "$output" == *'"type":"oom"'* ]]
	[[ "$output" == *'"id":"oomev"'* ]]
	[ "$(result oomev.cgroup)" = removed ]
}

@test "v2 guest: bad unified key and cpuset fail clearly, leaving no cgroup" {
	[ "$(result badunified.rc)" != 0 ]
	[[ "$(result badunified.out)" == *"nosuch.controller"* ]]
	[ "$(result badunified.cgroup)" = removed ]
	[ "$(result badcpuset.rc)" != 0 ]
	[[ "$(result badcpuset.out)" == *"cpu"* ]]
	[ "$(result badcpuset.cgroup)" = removed ]
	echo "left under /berthvm: $(result leftover)"
	run result toplevel
	[[ "$output" != *berthvm* ]]
}
