#!/usr/bin/env bats
# process.selinuxLabel, linux.mountLabel and `berth exec --process-label` for
# real: this host's kernel has no LSM enabled, so the installed berth runs in
# the qemu guest of v2vm/, whose Debian kernel has SELinux built in and boots
# with it chosen and permissive (security=selinux enforcing=0). No distribution
# policy fits a guest that shares the host's /usr and /etc, so the guest loads
# v2vm/selinux-test-policy.conf, compiled here with checkpolicy (Debian
# package checkpolicy): just the users, roles and types the labels below
# name, everything else allowed. Permissive is enough: these tests check that
# berth applies the labels, not what a policy then denies. The guest boots
# once for the whole file and runs v2vm/guest-selinux-checks.sh; each test
# checks one case's recorded results.

load helpers
load v2vm/guest-setup

PL=system_u:system_r:container_t
EL=system_u:system_r:container_exec_t
ML=system_u:object_r:container_file_t

setup_file() {
	command -v checkpolicy >/dev/null ||
		skip "checkpolicy missing: the test policy cannot be compiled (apt-get install --no-install-recommends checkpolicy)"
	v2vm_prepare
	checkpolicy -U allow -o "$WORK/policy.bin" "$V2VM_DIR/selinux-test-policy.conf" >"$WORK/checkpolicy.log" 2>&1 ||
		{ cat "$WORK/checkpolicy.log" >&2; return 1; }
	V2VM_APPEND="security=selinux enforcing=0" V2VM_TIMEOUT=300 \
		"$V2VM_DIR/run-in-guest.sh" "$GUEST" "$WORK" 'bash ./guest-selinux-checks.sh' \
		>"$WORK/guest.log" 2>&1 || { cat "$WORK/guest.log" >&2; return 1; }
	# Debian's kernel has SELinux; one built without it cannot run these.
	grep -qw selinux "$WORK/results/lsm" ||
		skip "the guest kernel did not start SELinux (lsm: $(cat "$WORK/results/lsm"))"
}

teardown_file() {
	rm -rf "${BATS_FILE_TMPDIR:?}/guest" "${BATS_FILE_TMPDIR:?}/work"
}

setup() { :; }
teardown() { :; }

show() { echo "$1: rc=$(result "$1.rc") output: $(result "$1.out")"; }

@test "selinux guest: SELinux is on and permissive, the test policy loads, features says enabled" {
	[[ "$(result lsm)" == *selinux* ]]
	echo "load: $(result load.out)"
	[ "$(result load.rc)" = 0 ]
	[ "$(result enforce)" = 0 ]
	[ "$(result features)" = '{"enabled":true}' ]
}

@test "selinux guest: process.selinuxLabel is the container process's label" {
	show run
	[ "$(result run.rc)" = 0 ]
	[ "$(result current)" = "$PL" ]
}

@test "selinux guest: linux.mountLabel is the context of /dev, /dev/shm, /dev/pts and a tmpfs mount" {
	for m in _dev _dev_shm _dev_pts _scratch; do
		echo "$m: $(result "mnt$m")"
		[[ ",$(result "mnt$m")," == *",context=$ML,"* ]]
	done
}

@test "selinux guest: proc and sysfs get no context option (as runc)" {
	echo "proc: $(result mnt_proc) sys: $(result mnt_sys)"
	[[ "$(result mnt_proc)" != *context=* ]]
	[[ "$(result mnt_sys)" != *context=* ]]
}

@test "selinux guest: linux.mountLabel is the label of the mqueue mount point" {
	[ "$(result mqueue)" = "$ML" ]
}

@test "selinux guest: the session keyring carries process.selinuxLabel" {
	echo "keys: $(result keys)"
	[ "$(result keyring)" = "$PL" ]
}

@test "selinux guest: exec runs with the config's label, or --process-label's" {
	show exec-default
	[ "$(result exec-default.rc)" = 0 ]
	[ "$(result exec-default.out)" = "$PL" ]
	show exec-label
	[ "$(result exec-label.rc)" = 0 ]
	[ "$(result exec-label.out)" = "$EL" ]
}

@test "selinux guest: exec --process-label with an invalid label fails naming it" {
	show exec-invalid
	[ "$(result exec-invalid.rc)" != 0 ]
	[[ "$(result exec-invalid.out)" == *'--process-label: "system_u:system_r:no_such_t" is not a valid SELinux context'* ]]
	[[ "$(result exec-invalid.out)" != *ran* ]]
}

@test "selinux guest: without labels nothing is labelled" {
	show unlabelled
	[ "$(result unlabelled.rc)" = 0 ]
	run result unlabelled.out
	[[ "${lines[0]}" != *container_t* ]]
	[[ "$output" != *context=* ]]
}

@test "selinux guest: an invalid process.selinuxLabel is an error naming it, and leaves nothing" {
	show bad-process
	[ "$(result bad-process.rc)" != 0 ]
	[[ "$(result bad-process.out)" == *'process.selinuxLabel: "system_u:system_r:no_such_t" is not a valid SELinux context'* ]]
	[[ "$(result bad-process.out)" != *ran* ]]
	[ -z "$(result bad-process.left)" ]
}

@test "selinux guest: an invalid linux.mountLabel is an error naming it, and leaves nothing" {
	show bad-mount
	[ "$(result bad-mount.rc)" != 0 ]
	[[ "$(result bad-mount.out)" == *'linux.mountLabel: "system_u:object_r:no_such_file_t" is not a valid SELinux context'* ]]
	[ -z "$(result bad-mount.left)" ]
}
