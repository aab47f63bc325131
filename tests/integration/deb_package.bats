#!/usr/bin/env bats
# The Debian packages built by contrib/build-deb.sh, given in DEB_DIR:
# their metadata, lintian, then installed for real with dpkg on this host
# (files, conffile, the unit links, berth running a container, crid started
# by hand with the packaged crid.conf serving a pod) and purged (nothing left);
# and in the qemu guest with systemd as PID 1 (v2vm/guest-deb-checks.sh), where
# the postinst enables and starts crid.socket and crid.service.
# Without DEB_DIR every test skips; a DEB_DIR without both .debs fails them. The host must not have berth or crid
# installed as packages already: the tests install and purge them.

# The programs under test are the packaged ones (crid_helpers finds crid,
# cridctl and the libexec helpers beside $BERTH).
if [ -n "${DEB_DIR:-}" ]; then export BERTH=/usr/bin/berth; fi
REPO_DIR="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
load crid_helpers
load v2vm/guest-setup

setup_file() {
	[ -n "${DEB_DIR:-}" ] || return 0
	export BERTH_DEB BERTH_CHANGES CRID_DEB
	BERTH_DEB=$(ls "$DEB_DIR"/berth_*.deb 2>/dev/null | head -1)
	CRID_DEB=$(ls "$DEB_DIR"/crid_*.deb 2>/dev/null | head -1)
	BERTH_CHANGES=$(ls "$DEB_DIR"/berth_*.changes 2>/dev/null | head -1)
	# Looked at once, before any test installs them: the host tests then
	# install, use and purge them only where the host had neither.
	export DEB_PACKAGES_WERE_THERE=
	if on_host berth || on_host crid; then DEB_PACKAGES_WERE_THERE=1; fi
}

# Installed, or removed with its conffiles kept: anything dpkg knows of.
on_host() {
	local s
	s=$(dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null) || return 1
	[ -n "$s" ] && [ "$s" != not-installed ]
}

teardown_file() {
	# Whatever a failed test left: the host is left without the packages.
	if [ -n "${DEB_DIR:-}" ] && [ -z "${DEB_PACKAGES_WERE_THERE:-}" ]; then
		dpkg --purge crid berth >/dev/null 2>&1 || true
	fi
	if [ -n "${REGISTRY_PID:-}" ]; then stop_registry; fi
	rm -rf "${BATS_FILE_TMPDIR:?}/guest" "${BATS_FILE_TMPDIR:?}/work"
}

need_debs() {
	[ -n "${DEB_DIR:-}" ] || skip "no packages to test: DEB_DIR=DIR names a directory with the .debs of contrib/build-deb.sh"
	# packages were promised (CI sets DEB_DIR after building them): none is a failure
	[ -n "$BERTH_DEB" ] && [ -n "$CRID_DEB" ] || {
		echo "DEB_DIR=$DEB_DIR holds no berth_*.deb and crid_*.deb: did contrib/build-deb.sh fail?" >&2
		return 1
	}
}

# Tests that install on this host: only where the packages are not there yet.
need_host() {
	need_debs
	[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i)"
	[ -z "$DEB_PACKAGES_WERE_THERE" ] ||
		skip "berth or crid was installed as a package on this host before these tests: not touched"
}

installed() { dpkg-query -W -f '${db:Status-Status}' "$1" 2>/dev/null; }

@test "deb: package relations and conffile" {
	need_debs
	run dpkg-deb -f "$CRID_DEB" Depends
	[[ "$output" == *"berth (= "* ]]
	run dpkg-deb -f "$CRID_DEB" Recommends
	[[ "$output" == *containernetworking-plugins* ]]
	run dpkg-deb -f "$BERTH_DEB" Depends
	[[ "$output" == *libc6* ]]
	run dpkg-deb -I "$CRID_DEB" conffiles
	[ "$status" -eq 0 ]
	[[ "$output" == *"/etc/crid/crid.conf"* ]]
	# dh_installsystemd wrote the enable and start into the maintainer scripts
	run dpkg-deb -I "$CRID_DEB" postinst
	[[ "$output" == *"deb-systemd-helper"*"crid.socket"* ]]
	[[ "$output" == *"deb-systemd-invoke"* ]]
}

@test "deb: lintian reports no errors" {
	need_debs
	command -v lintian >/dev/null || skip "lintian not installed (apt-get install lintian)"
	local what=("$BERTH_DEB" "$CRID_DEB")
	[ -z "$BERTH_CHANGES" ] || what=("$BERTH_CHANGES")
	run lintian --fail-on error "${what[@]}"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" != *"E: "* ]]
}

@test "deb: in a systemd guest, dpkg -i enables and starts crid.socket and crid.service; purge removes them" {
	need_debs
	# the guest's bundle helper wants a berth: the packaged one, unpacked
	dpkg-deb -x "$BERTH_DEB" "$BATS_FILE_TMPDIR/berth-deb"
	BERTH="$BATS_FILE_TMPDIR/berth-deb/usr/bin/berth" v2vm_prepare
	mkdir -p "$WORK/debs"
	cp "$BERTH_DEB" "$CRID_DEB" "$WORK/debs/"
	cp "$V2VM_DIR/guest-deb-checks.sh" "$WORK/"
	# the host's package database, without berth and crid (the guest installs them)
	cp -a /var/lib/dpkg "$WORK/dpkg"
	# dpkg reads its 140k-file database over 9p under TCG: a minute or more
	# per dpkg run on a loaded 2-core host (a whole run took 6 min at load 20)
	V2VM_TIMEOUT=420 "$V2VM_DIR/run-in-guest.sh" --systemd "$GUEST" "$WORK" 'bash ./guest-deb-checks.sh' \
		>"$WORK/guest.log" 2>&1 || { cat "$WORK/guest.log" >&2; return 1; }
	R=$WORK/results
	cat "$R/install.log" "$R/status"
	[ "$(cat "$R/install.rc")" = 0 ]
	[ "$(cat "$R/enabled")" = "$(printf 'enabled\nenabled')" ]
	[ "$(cat "$R/active")" = "$(printf 'active\nactive')" ]
	grep -qx 'listen=/run/crid/crid.sock (Stream)' "$R/units"
	grep -qx 'exec=/usr/bin/crid' "$R/units"
	cat "$R/version"
	grep -qx 'rc=0' "$R/version"
	grep -q 'RuntimeName: *crid' "$R/version"
	cat "$R/purge.log" "$R/after-purge"
	[ "$(cat "$R/purge.rc")" = 0 ]
	[ "$(cat "$R/after-purge")" = "service=inactive" ]
}

@test "deb: dpkg -i on this host puts the files where they belong" {
	need_host
	run dpkg -i "$BERTH_DEB" "$CRID_DEB"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(installed berth)" = installed ]
	[ "$(installed crid)" = installed ]
	run dpkg -L berth crid
	local f
	for f in /usr/bin/berth /usr/share/man/man8/berth.8.gz /usr/share/man/man8/berth-run.8.gz \
		/usr/share/bash-completion/completions/berth /usr/share/doc/berth/copyright \
		/usr/bin/crid /usr/bin/cridctl /usr/libexec/crid/crid-monitor /usr/libexec/crid/crid-pause /usr/libexec/crid/crid-pull \
		/usr/share/crid/seccomp-default.json /lib/systemd/system/crid.service /lib/systemd/system/crid.socket \
		/etc/crid/crid.conf /usr/share/man/man5/crid.conf.5.gz /usr/share/man/man1/cridctl.1.gz \
		/usr/share/bash-completion/completions/cridctl; do
		[[ $'\n'"$output"$'\n' == *$'\n'"$f"$'\n'* ]] || { echo "not in dpkg -L: $f"; return 1; }
		[ -e "$f" ] || { echo "listed but missing: $f"; return 1; }
	done
	dpkg-query -W -f '${Conffiles}\n' crid | grep -q '^ /etc/crid/crid.conf [0-9a-f]\{32\}$'
	# the unit and config name the packaged paths, not /usr/local
	grep -qx 'ExecStart=/usr/bin/crid' /lib/systemd/system/crid.service
	! grep -q /usr/local /lib/systemd/system/crid.service /etc/crid/crid.conf || false
	# enabled by the postinst (no systemd here to start them)
	[ -L /etc/systemd/system/sockets.target.wants/crid.socket ]
	[ -L /etc/systemd/system/multi-user.target.wants/crid.service ]
	run /usr/bin/berth --version
	[ "$status" -eq 0 ]
	[[ "$output" == *"berth version "* ]]
	run /usr/bin/crid --version
	[ "$status" -eq 0 ]
	[[ "$output" == *crid* ]]
	# crid's compiled-in defaults are the packaged paths
	run /usr/bin/crid --help
	[[ "$output" == *"(default /usr/bin/berth)"* ]]
	[[ "$output" == *"(default /usr/libexec/crid/crid-monitor)"* ]]
}

@test "deb: the packaged berth runs a busybox container" {
	need_host
	[ "$(installed berth)" = installed ] || skip "berth is not installed (the dpkg -i test failed)"
	local b="$BATS_TEST_TMPDIR/bundle"
	BERTH=/usr/bin/berth "$REPO_DIR/contrib/make-busybox-bundle.sh" "$b" -- sh -c 'echo hello from $(hostname)' >/dev/null
	run /usr/bin/berth --root "$BATS_TEST_TMPDIR/state" run --bundle "$b" "deb-$$" </dev/null
	echo "$output"
	[ "$status" -eq 0 ]
	[[ "$output" == *"hello from "* ]]
	run /usr/bin/berth --root "$BATS_TEST_TMPDIR/state" list -q
	[ -z "$output" ]
}

@test "deb: the packaged crid, started with the packaged crid.conf, runs a pod and a container" {
	need_host
	[ "$(installed crid)" = installed ] || skip "crid is not installed (the dpkg -i test failed)"
	crid_setup
	start_registry
	push_busybox_image latest
	BUSYBOX="$REGISTRY/busybox:latest"
	mkdir -p "$T/cni"
	echo '{"cniVersion": "1.0.0", "name": "deb-loopback", "plugins": [{"type": "loopback"}]}' >"$T/cni/10-loopback.conflist"
	# Only what must not touch the host's own crid: socket, state, cgroups,
	# CNI networks. Runtime, monitor, pause and profile come from the
	# package's built-in defaults and crid.conf.
	/usr/bin/crid --config /etc/crid/crid.conf --root "$T/root" --state "$T/state" --listen "$ENDPOINT" \
		--cgroup-parent "$CRID_CGROUP_PARENT" --cni-config-dir "$T/cni" \
		--insecure-registry "$REGISTRY" >"$T/crid.log" 2>&1 &
	CRID_PID=$!
	CRID_PIDS+=("$CRID_PID")
	local i
	for i in $(seq 100); do
		/usr/bin/cridctl -r "$ENDPOINT" -t 1 version >/dev/null 2>&1 && break
		kill -0 "$CRID_PID" || { cat "$T/crid.log"; return 1; }
		sleep 0.1
	done
	run /usr/bin/cridctl -r "$ENDPOINT" version
	echo "$output"
	[ "$status" -eq 0 ]
	cri ImageService/PullImage "{\"image\": {\"image\": \"$BUSYBOX\"}}" >/dev/null
	run_pod debpod
	run_ctr c1 sh -c 'echo packaged; sleep 3600'
	wait_ctr_state "$CTR" CONTAINER_RUNNING
	# the monitor that runs it is the packaged one
	local mon
	mon=$(pgrep -f "^[^ ]*crid-monitor .*$T/" | head -1)
	[ -n "$mon" ]
	[ "$(readlink "/proc/$mon/exe")" = /usr/libexec/crid/crid-monitor ]
	for i in $(seq 50); do
		grep -q packaged "$T/logs/debpod/c1.log" 2>/dev/null && break
		sleep 0.1
	done
	[ "$(log_lines "$T/logs/debpod/c1.log")" = packaged ]
	cri StopPodSandbox "{\"podSandboxId\": \"$POD\"}" >/dev/null
	cri RemovePodSandbox "{\"podSandboxId\": \"$POD\"}" >/dev/null
	crid_teardown
	stop_registry
}

@test "deb: dpkg --purge removes every file, the conffile and the unit links" {
	need_host
	[ "$(installed crid)" = installed ] || skip "crid is not installed (the dpkg -i test failed)"
	local files
	files=$(dpkg -L berth crid | grep -v '^/\.$')
	run dpkg --purge crid berth
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$(installed berth)" ] || [ "$(installed berth)" = not-installed ]
	[ -z "$(installed crid)" ] || [ "$(installed crid)" = not-installed ]
	local f left=
	while read -r f; do
		# directories shared with other packages stay (/lib too: merged /usr
		# makes it a symlink to usr/lib, which dpkg -L lists as the directory)
		if [ -d "$f" ]; then continue; fi
		if [ -e "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
	done <<<"$files"
	[ -z "$left" ] || { echo "left behind:$left"; return 1; }
	[ ! -e /etc/crid ]
	[ ! -e /usr/libexec/crid ]
	[ ! -e /usr/share/crid ]
	[ ! -L /etc/systemd/system/sockets.target.wants/crid.socket ]
	[ ! -L /etc/systemd/system/multi-user.target.wants/crid.service ]
}
