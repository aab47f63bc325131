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

run_case badunified '.linux.resources.unified = {"nosuch.controller": "1"} | .process.args = ["/bin/true"]'
run_case badcpuset '.linux.resources.cpu = {"cpus": "7"} | .process.args = ["/bin/true"]'

rmdir /sys/fs/cgroup/berthvm 2>/dev/null
ls /sys/fs/cgroup >"$WORK/results/toplevel"
