#!/bin/bash
# Runs inside the qemu guest (see ../selinux_vm.bats): Debian's kernel boots
# with security=selinux enforcing=0, this script loads the small test policy
# (policy.bin in the work dir, compiled from selinux-test-policy.conf), then
# runs containers with process.selinuxLabel and linux.mountLabel and records
# what the kernel says about them from outside the container.
. "$(dirname "$0")/guest-lib.sh"
R=$WORK/results
PL=system_u:system_r:container_t
EL=system_u:system_r:container_exec_t
ML=system_u:object_r:container_file_t

mkdir -p /sys/kernel/security /sys/fs/selinux
mount -t securityfs securityfs /sys/kernel/security 2>/dev/null
mount -t selinuxfs selinuxfs /sys/fs/selinux 2>"$R/selinuxfs.out"
cat /sys/kernel/security/lsm >"$R/lsm" 2>&1
cat "$WORK/policy.bin" >/sys/fs/selinux/load 2>"$R/load.out"
echo $? >"$R/load.rc"
cat /sys/fs/selinux/enforce >"$R/enforce" 2>&1
"$BERTH_BIN" features | jq -c .linux.selinux >"$R/features" 2>&1

label_of() { tr -d '\0' <"$1"; }
# The key description of the keyring of that serial's security label
# (KEYCTL_GET_SECURITY): the guest has no keyctl(1), but the host's python.
key_label() {
	/usr/bin/python3 - "$1" <<'EOT'
import ctypes, sys
libc = ctypes.CDLL(None, use_errno=True)
buf = ctypes.create_string_buffer(512)
n = libc.syscall(250, 17, int(sys.argv[1], 16), buf, 512)
print(buf.value.decode() if n > 0 else "error %d" % ctypes.get_errno())
EOT
}

# A running container with both labels, an extra tmpfs, and the default
# /dev, /dev/shm, /dev/pts and /dev/mqueue mounts.
b=/tmp/bundle-labels
mkdir -p "$b"
jq --arg pl "$PL" --arg ml "$ML" '.root.path = "/tmp/rootfs" | .root.readonly = false
	| .linux.cgroupsPath = "/berthvm/labels"
	| .process.selinuxLabel = $pl | .linux.mountLabel = $ml
	| .mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "size=1m"]}]
	| .process.args = ["sleep", "300"]' "$WORK/bundle/config.json" >"$b/config.json"
(cd "$b" && timeout 60 "$BERTH_BIN" --root "$STATE" run -d labels </dev/null >"$R/run.out" 2>&1)
echo $? >"$R/run.rc"
pid=$("$BERTH_BIN" --root "$STATE" state labels | jq -r .pid)
label_of "/proc/$pid/attr/current" >"$R/current" 2>&1
for d in /dev /dev/shm /dev/pts /scratch /proc /sys; do
	awk -v d="$d" '$5 == d {print $NF}' "/proc/$pid/mountinfo" >"$R/mnt$(echo "$d" | tr / _)" 2>&1
done
/usr/bin/python3 -c 'import os, sys; print(os.getxattr(sys.argv[1], "security.selinux").rstrip(b"\0").decode())' \
	"/proc/$pid/root/dev/mqueue" >"$R/mqueue" 2>&1
serial=$(awk '$NF == "_ses.labels:" || $9 == "_ses.labels:" {print $1}' /proc/keys | head -1)
grep '_ses\.' /proc/keys >"$R/keys" 2>&1
[ -n "$serial" ] && key_label "$serial" >"$R/keyring" 2>&1

# exec: the config's label by default, --process-label's when given, and an
# invalid one refused before anything runs.
"$BERTH_BIN" --root "$STATE" exec labels cat /proc/self/attr/current </dev/null 2>&1 | tr -d '\0' >"$R/exec-default.out"
echo "${PIPESTATUS[0]}" >"$R/exec-default.rc"
"$BERTH_BIN" --root "$STATE" exec --process-label "$EL" labels cat /proc/self/attr/current </dev/null 2>&1 |
	tr -d '\0' >"$R/exec-label.out"
echo "${PIPESTATUS[0]}" >"$R/exec-label.rc"
"$BERTH_BIN" --root "$STATE" exec --process-label system_u:system_r:no_such_t labels echo ran </dev/null >"$R/exec-invalid.out" 2>&1
echo $? >"$R/exec-invalid.rc"
"$BERTH_BIN" --root "$STATE" delete --force labels >/dev/null 2>&1

# Without labels: the container's process keeps the runtime's (the kernel's) label.
run_case unlabelled '.process.args = '"$(args 'cat /proc/self/attr/current; echo; grep " /dev " /proc/self/mountinfo')"

# Invalid labels: refused with the field named, before a state dir or a
# cgroup exists (checked before any delete).
invalid_case() {
	local name=$1 filter=$2 b=/tmp/bundle-$1
	mkdir -p "$b"
	jq --arg name "$name" '.root.path = "/tmp/rootfs" | .root.readonly = false
		| .linux.cgroupsPath = "/berthvm/\($name)" | .process.args = ["echo", "ran"] | '"$filter" \
		"$WORK/bundle/config.json" >"$b/config.json"
	(cd "$b" && timeout 60 "$BERTH_BIN" --root "$STATE" run "$name" </dev/null >"$R/$name.out" 2>&1)
	echo $? >"$R/$name.rc"
	{ [ -e "$STATE/$name" ] && echo "state dir left"; [ -d "/sys/fs/cgroup/berthvm/$name" ] && echo "cgroup left"; } >"$R/$name.left"
	"$BERTH_BIN" --root "$STATE" delete --force "$name" >/dev/null 2>&1
}
invalid_case bad-process '.process.selinuxLabel = "system_u:system_r:no_such_t"'
invalid_case bad-mount '.linux.mountLabel = "system_u:object_r:no_such_file_t"'
exit 0
