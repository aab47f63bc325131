#!/usr/bin/env bats
# process.apparmorProfile and `berth exec --apparmor` for real: this host's
# kernel has no LSM enabled (no /sys/kernel/security/lsm), so the installed
# berth runs in the qemu guest of v2vm/, whose Debian kernel boots with
# AppArmor on. The guest sees the host's /usr but not its packages' state:
# apparmor_parser is the host's if the apparmor package is installed, else
# taken from Debian's apparmor .deb (apt-get download, never installed; no
# AppArmor service is enabled on the host either way). The guest boots once for the
# whole file and runs v2vm/guest-apparmor-checks.sh; each test checks one
# case's recorded results.
# SELinux has its own guest run: selinux_vm.bats.

load helpers
load v2vm/guest-setup

# The apparmor_parser to load the test profile with, in $WORK.
copy_apparmor_parser() {
	local p="" cache="${BERTH_V2VM_CACHE:-/var/cache/berth-tests}" deb
	for c in /usr/sbin/apparmor_parser /sbin/apparmor_parser; do [ -x "$c" ] && p=$c && break; done
	if [ -z "$p" ]; then
		deb=$(ls "$cache"/apparmor_*.deb 2>/dev/null | head -1 || true)
		if [ -z "$deb" ]; then
			(cd "$cache" && apt-get download -q apparmor) >"$BATS_FILE_TMPDIR/aa-download.log" 2>&1 ||
				skip "no apparmor_parser: apt-get download apparmor failed (apt-get install --no-install-recommends apparmor)"
			deb=$(ls "$cache"/apparmor_*.deb | head -1)
		fi
		rm -rf "$BATS_FILE_TMPDIR/aa"
		dpkg-deb -x "$deb" "$BATS_FILE_TMPDIR/aa"
		p=$(find "$BATS_FILE_TMPDIR/aa" -name apparmor_parser -type f | head -1)
	fi
	cp "$p" "$WORK/apparmor_parser"
}

setup_file() {
	v2vm_prepare
	copy_apparmor_parser
	V2VM_TIMEOUT=300 "$V2VM_DIR/run-in-guest.sh" "$GUEST" "$WORK" 'bash ./guest-apparmor-checks.sh' \
		>"$WORK/guest.log" 2>&1 || { cat "$WORK/guest.log" >&2; return 1; }
}

teardown_file() {
	rm -rf "${BATS_FILE_TMPDIR:?}/guest" "${BATS_FILE_TMPDIR:?}/work" "${BATS_FILE_TMPDIR:?}/aa"
}

setup() { :; }
teardown() { :; }

show() { echo "$1: rc=$(result "$1.rc") output: $(result "$1.out")"; }

@test "apparmor guest: AppArmor is on, features says so, the test profile loads" {
	[[ "$(result lsm)" == *apparmor* ]]
	[ "$(result aa-enabled)" = Y ]
	[ "$(result features)" = '{"enabled":true}' ]
	echo "load: $(result load.out)"
	[ "$(result load.rc)" = 0 ]
	[[ "$(result loaded)" == "berth-test (enforce)"* ]]
}

@test "apparmor guest: process.apparmorProfile is the container process's profile" {
	show current
	[ "$(result current.rc)" = 0 ]
	[ "$(result current.cgroup)" = removed ]
	[ "$(result current.out)" = "attr=berth-test (enforce) aa=berth-test (enforce)" ]
}

@test "apparmor guest: the profile's deny rule holds in the container" {
	show deny
	[ "$(result deny.rc)" = 0 ]
	run result deny.out
	[ "${lines[0]}" = public ]
	[[ "$output" == *"/secret"*"Permission denied"* ]]
	[[ "$output" != *top-secret* ]]
	[[ "$output" == *secret_rc=1* ]]
}

@test "apparmor guest: without a profile the process is unconfined and reads the file" {
	show unconfined
	run result unconfined.out
	[ "${lines[0]}" = top-secret ]
	[ "${lines[1]}" = unconfined ]
}

@test "apparmor guest: a profile that is not loaded fails, naming process.apparmorProfile" {
	show unknown
	[ "$(result unknown.rc)" != 0 ]
	run result unknown.out
	[[ "$output" == *'process.apparmorProfile: set "exec berth-no-such-profile"'* ]]
	[[ "$output" != *ran* ]]
	[ "$(result unknown.cgroup)" = removed ]
}

@test "apparmor guest: exec --apparmor confines the exec'd process, exec without it does not" {
	echo "run -d: $(result exec-run.rc) $(result exec-run.out)"
	[ "$(result exec-run.rc)" = 0 ]
	show exec
	[ "$(result exec.rc)" = 0 ]
	run result exec.out
	[ "${lines[0]}" = "berth-test (enforce)" ]
	[[ "$output" == *"/secret"*"Permission denied"* ]]
	[[ "$output" == *secret_rc=1* ]]
	show exec-plain
	[ "$(result exec-plain.rc)" = 0 ]
	[ "$(result exec-plain.out)" = unconfined ]
}

@test "apparmor guest: exec --apparmor with a profile that is not loaded fails and says which" {
	show exec-unknown
	[ "$(result exec-unknown.rc)" != 0 ]
	[[ "$(result exec-unknown.out)" == *'berth-no-such-profile'* ]]
}
