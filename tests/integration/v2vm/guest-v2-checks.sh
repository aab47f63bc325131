#!/bin/bash
# Runs inside the cgroup v2 guest (see ../cgroups_v2_vm.bats): each case is a
# container with some linux.resources, reading its own cgroup files back and
# testing that the limit holds.
. "$(dirname "$0")/guest-lib.sh"
cat /sys/fs/cgroup/cgroup.controllers >"$WORK/results/controllers"
modprobe loop 2>/dev/null

run_case memory '.linux.resources.memory = {"limit": 67108864, "reservation": 33554432, "swap": 100663296}
	| .process.args = '"$(args 'echo max=$(cat /sys/fs/cgroup/memory.max) low=$(cat /sys/fs/cgroup/memory.low) swap=$(cat /sys/fs/cgroup/memory.swap.max)')"

run_case oom '.linux.resources.memory = {"limit": 33554432, "swap": 33554432}
	| .process.args = '"$(args 'tail /dev/zero; echo tail=$?; grep oom_kill /sys/fs/cgroup/memory.events')"

run_case cpu '.linux.resources.cpu = {"shares": 262144, "quota": 50000, "period": 100000, "burst": 10000}
	| .process.args = '"$(args 'echo weight=$(cat /sys/fs/cgroup/cpu.weight) max=\"$(cat /sys/fs/cgroup/cpu.max)\" burst=$(cat /sys/fs/cgroup/cpu.max.burst)')"

run_case cpuidle '.linux.resources.cpu = {"idle": 1}
	| .process.args = '"$(args 'echo idle=$(cat /sys/fs/cgroup/cpu.idle)')"

# busybox sh exits when it cannot fork: the loop runs in a child shell, and
# the results are read with builtins while the sleepers hold every pid.
run_case pids '.linux.resources.pids = {"limit": 20}
	| .process.args = '"$(args 'sh -c "for i in \$(seq 40); do sleep 30 & done" 2>/dev/null; read m </sys/fs/cgroup/pids.max; read c </sys/fs/cgroup/pids.current; read e </sys/fs/cgroup/pids.events; echo max=$m current=$c events=\"$e\"; kill -9 -1')"

run_case io '.linux.resources.blockIO = {"weight": 500}
	| .process.args = '"$(args 'echo weight=\"$(cat /sys/fs/cgroup/io.weight 2>&1 | head -1)\"')"

run_case cpuset '.linux.resources.cpu = {"cpus": "1", "mems": "0"}
	| .process.args = '"$(args 'echo cpus=$(cat /sys/fs/cgroup/cpuset.cpus) mems=$(cat /sys/fs/cgroup/cpuset.mems) allowed=$(grep Cpus_allowed_list /proc/self/status | cut -f2)')"

run_case unified '.linux.resources.unified = {"memory.high": "52428800", "pids.max": "7"}
	| .process.args = '"$(args 'echo high=$(cat /sys/fs/cgroup/memory.high) pids=$(cat /sys/fs/cgroup/pids.max)')"

run_case hugetlb '.linux.resources.hugepageLimits = [{"pageSize": "2MB", "limit": 4194304}]
	| .process.args = '"$(args 'echo max=$(cat /sys/fs/cgroup/hugetlb.2MB.max) rsvd=$(cat /sys/fs/cgroup/hugetlb.2MB.rsvd.max 2>&1)')"

# io throttles and the eBPF device filter need a real block device: a loop
# device over a file in the guest's tmpfs.
truncate -s 16M /tmp/disk.img
loopdev=$(losetup -f --show /tmp/disk.img 2>"$WORK/results/loop.err")
if [ -n "$loopdev" ]; then
	maj=$((0x$(stat -c %t "$loopdev"))) min=$((0x$(stat -c %T "$loopdev")))
	echo "$maj:$min" >"$WORK/results/loopdev"
	run_case iomax '.linux.resources.blockIO = {"throttleReadBpsDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 1048576}],
			"throttleWriteIOPSDevice": [{"major": '"$maj"', "minor": '"$min"', "rate": 100}]}
		| .process.args = '"$(args 'cat /sys/fs/cgroup/io.max')"
	# The loop device is in the container but not in the allow list: the
	# cgroup's eBPF program refuses its open; then the same with a rule for it.
	dev='.linux.devices = [{"path": "/dev/testdisk", "type": "b", "major": '"$maj"', "minor": '"$min"', "fileMode": 432}]'
	run_case devdeny "$dev"' | .linux.resources.devices = [{"allow": false, "access": "rwm"}]
		| .process.args = '"$(args 'head -c 512 /dev/testdisk >/dev/null; echo read=$?; head -c 1 /dev/zero >/dev/null; echo zero=$?')"
	run_case devallow "$dev"' | .linux.resources.devices = [{"allow": false, "access": "rwm"},
			{"allow": true, "type": "b", "major": '"$maj"', "minor": '"$min"', "access": "r"}]
		| .process.args = '"$(args 'head -c 512 /dev/testdisk >/dev/null; echo read=$?; echo x 2>/dev/null >/dev/testdisk; echo write=$?')"
	# No linux.resources at all: the default list still applies, as with runc
	# (any node may be made, one outside the list not opened; /dev/null works).
	mknod_caps='.process.capabilities.bounding += ["CAP_MKNOD"] | .process.capabilities.effective += ["CAP_MKNOD"]
		| .process.capabilities.permitted += ["CAP_MKNOD"]'
	run_case devdefault 'del(.linux.resources) | '"$mknod_caps"'
		| .process.args = '"$(args 'mknod /dev/blk b '"$maj $min"'; echo made=$?; head -c 512 /dev/blk >/dev/null; echo read=$?; echo x >/dev/null; echo null=$?')"
	losetup -d "$loopdev"
fi

# pause/resume through cgroup.freeze, and kill --all through cgroup.kill, on
# a detached container whose loop counts into a file of the rootfs.
mkdir -p /tmp/bundle-freeze
jq '.root.path = "/tmp/rootfs" | .root.readonly = false | .linux.cgroupsPath = "/berthvm/freeze"
	| .process.args = ["/bin/sh", "-c", "sleep 100 & sleep 100 & i=0; while :; do i=$((i+1)); echo $i >/freeze-count; done"]' \
	"$WORK/bundle/config.json" >/tmp/bundle-freeze/config.json
(cd /tmp/bundle-freeze && "$BERTH_BIN" --root "$STATE" run -d freeze </dev/null >/dev/null 2>&1)
for i in $(seq 100); do [ -s /tmp/rootfs/freeze-count ] && break; sleep 0.1; done
"$BERTH_BIN" --root "$STATE" pause freeze
paused=$("$BERTH_BIN" --root "$STATE" state freeze | jq -r .status)
frozen=$(grep frozen /sys/fs/cgroup/berthvm/freeze/cgroup.events)
a=$(cat /tmp/rootfs/freeze-count); sleep 1; b=$(cat /tmp/rootfs/freeze-count)
"$BERTH_BIN" --root "$STATE" resume freeze
# The emulated guest may be slow to schedule the thawed loop: wait for it.
for i in $(seq 100); do c=$(cat /tmp/rootfs/freeze-count); [ -n "$c" ] && [ "$c" != "$b" ] && break; sleep 0.1; done
echo "status=$paused $frozen stopped=$([ "$a" = "$b" ] && echo yes || echo no) moves=$([ "$c" != "$b" ] && echo yes || echo no)" \
	>"$WORK/results/freeze.out"
procs=$(wc -l </sys/fs/cgroup/berthvm/freeze/cgroup.procs)
"$BERTH_BIN" --root "$STATE" kill --all freeze KILL
for i in $(seq 50); do [ -s /sys/fs/cgroup/berthvm/freeze/cgroup.procs ] || break; sleep 0.1; done
echo "before=$procs after=$(wc -l </sys/fs/cgroup/berthvm/freeze/cgroup.procs)" >"$WORK/results/kill.out"
"$BERTH_BIN" --root "$STATE" delete --force freeze
[ -d /sys/fs/cgroup/berthvm/freeze ] && echo left >"$WORK/results/freeze.cgroup" || echo removed >"$WORK/results/freeze.cgroup"

# berth events reports the OOM kill that memory.events records.
mkdir -p /tmp/bundle-oomev
jq '.root.path = "/tmp/rootfs" | .root.readonly = false | .linux.cgroupsPath = "/berthvm/oomev"
	| .linux.resources.memory = {"limit": 33554432, "swap": 33554432}
	| .process.args = ["/bin/sh", "-c", "sleep 1; tail /dev/zero; sleep 100"]' \
	"$WORK/bundle/config.json" >/tmp/bundle-oomev/config.json
(cd /tmp/bundle-oomev && "$BERTH_BIN" --root "$STATE" run -d oomev </dev/null >/dev/null 2>&1)
timeout 8 "$BERTH_BIN" --root "$STATE" events --interval 1s oomev >"$WORK/results/oomev.out" 2>&1
"$BERTH_BIN" --root "$STATE" delete --force oomev
[ -d /sys/fs/cgroup/berthvm/oomev ] && echo left >"$WORK/results/oomev.cgroup" || echo removed >"$WORK/results/oomev.cgroup"

# A config listing /dev/null itself and denying c 1:3: the default rule for
# /dev/null gives way (runc's dedup), so nothing in the container opens it.
run_case devnull '.linux.devices = [{"path": "/dev/null", "type": "c", "major": 1, "minor": 3, "fileMode": 438}]
	| .linux.resources.devices = [{"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]
	| .process.args = '"$(args 'echo x 2>&1 >/dev/null; echo null=$?')"
# The same deny without the /dev/null entry: the defaults come after it and win.
run_case devnullkept '.linux.resources.devices = [{"allow": false, "type": "c", "major": 1, "minor": 3, "access": "rwm"}]
	| .process.args = '"$(args 'echo x >/dev/null; echo null=$?')"

run_case badunified '.linux.resources.unified = {"nosuch.controller": "1"} | .process.args = ["/bin/true"]'
run_case badcpuset '.linux.resources.cpu = {"cpus": "7"} | .process.args = ["/bin/true"]'

find /sys/fs/cgroup/berthvm -type d >"$WORK/results/leftover" 2>&1
rmdir /sys/fs/cgroup/berthvm 2>/dev/null
ls /sys/fs/cgroup >"$WORK/results/toplevel"
