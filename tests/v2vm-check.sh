#!/bin/bash
# `make check` part: the cgroup v2, systemd driver, AppArmor and SELinux tests, which boot a qemu
# guest (tests/integration/v2vm/), run against the berth just built. Their TAP
# output is kept in tests/v2vm-results/ of the build tree, where
# tests/run-all.sh reports it instead of booting the guests a second time.
# Exit status: 0 all passed (or skipped with a reason), 1 a failure.
set -uo pipefail
src="${srcdir:-.}"
src="$(cd "$src" && pwd)"
out="$PWD/tests/v2vm-results"
mkdir -p "$out"
export BERTH="${BERTH_UNDER_CHECK:-$PWD/berth}"
if ! command -v bats >/dev/null; then
	echo "bats is not installed: the guest tests cannot run (Debian: apt-get install bats)"
	exit 77
fi
rc=0
for name in cgroups_v2_vm systemd_cgroup apparmor_vm selinux_vm; do
	rm -f "$out/$name.tap"
	timeout --kill-after=10 600 bats --tap "$src/tests/integration/$name.bats" </dev/null >"$out/$name.tap.tmp" 2>&1 || rc=1
	cat "$out/$name.tap.tmp"
	mv "$out/$name.tap.tmp" "$out/$name.tap"
done
exit "$rc"
