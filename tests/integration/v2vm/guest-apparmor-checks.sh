#!/bin/bash
# Runs inside the qemu guest (see ../apparmor_vm.bats): Debian's kernel boots
# with AppArmor on, which this host's kernel lacks. Loads a small profile with
# the apparmor_parser copied to the work dir, then runs containers with
# process.apparmorProfile and `berth exec --apparmor`, recording what the
# container's process sees.
. "$(dirname "$0")/guest-lib.sh"
R=$WORK/results
mkdir -p /sys/kernel/security
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
cat /sys/kernel/security/lsm >"$R/lsm" 2>&1
cat /sys/module/apparmor/parameters/enabled >"$R/aa-enabled" 2>&1
"$BERTH_BIN" features | jq -c .linux.apparmor >"$R/features" 2>&1

# Everything allowed but reading /secret: the profile in force is the one
# that denies it.
cat >/tmp/berth-test.profile <<'EOT'
profile berth-test flags=(attach_disconnected,mediate_deleted) {
  file,
  capability,
  network,
  signal,
  ptrace,
  unix,
  deny /secret r,
}
EOT
"$WORK/apparmor_parser" --skip-cache -r /tmp/berth-test.profile >"$R/load.out" 2>&1
echo $? >"$R/load.rc"
grep berth-test /sys/kernel/security/apparmor/profiles >"$R/loaded" 2>&1
echo top-secret >/tmp/rootfs/secret
echo public >/tmp/rootfs/public

run_case current '.process.apparmorProfile = "berth-test"
	| .process.args = '"$(args 'echo "attr=$(cat /proc/self/attr/current) aa=$(cat /proc/self/attr/apparmor/current)"')"

run_case deny '.process.apparmorProfile = "berth-test"
	| .process.args = '"$(args 'cat /public; cat /secret; echo secret_rc=$?')"

run_case unconfined '.process.args = '"$(args 'cat /secret; cat /proc/self/attr/current')"

run_case unknown '.process.apparmorProfile = "berth-no-such-profile"
	| .process.args = '"$(args 'echo ran')"

# exec: a running container without a profile, then processes with and
# without --apparmor, and one asking for a profile that is not loaded.
b=/tmp/bundle-exec
mkdir -p "$b"
jq '.root.path = "/tmp/rootfs" | .root.readonly = false | .linux.cgroupsPath = "/berthvm/exec"
	| .process.args = ["sleep", "300"]' "$WORK/bundle/config.json" >"$b/config.json"
(cd "$b" && "$BERTH_BIN" --root "$STATE" run -d aaexec </dev/null >"$R/exec-run.out" 2>&1)
echo $? >"$R/exec-run.rc"
"$BERTH_BIN" --root "$STATE" exec --apparmor berth-test aaexec sh -c 'cat /proc/self/attr/current; cat /secret; echo secret_rc=$?' \
	</dev/null >"$R/exec.out" 2>&1
echo $? >"$R/exec.rc"
"$BERTH_BIN" --root "$STATE" exec aaexec cat /proc/self/attr/current </dev/null >"$R/exec-plain.out" 2>&1
echo $? >"$R/exec-plain.rc"
"$BERTH_BIN" --root "$STATE" exec --apparmor berth-no-such-profile aaexec true </dev/null >"$R/exec-unknown.out" 2>&1
echo $? >"$R/exec-unknown.rc"
"$BERTH_BIN" --root "$STATE" delete --force aaexec >/dev/null 2>&1
exit 0
