#!/bin/bash
# Runs inside the cgroup v2 guest under systemd as PID 1 (see
# ../systemd_cgroup.bats): berth --systemd-cgroup makes transient scopes and
# slices; their properties, cgroup files and removal are recorded in results/.
. "$(dirname "$0")/guest-lib.sh"
R=$WORK/results
show() { systemctl show "$1" -p "$2" --value 2>&1; }
wait_file() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done; return 1; }

# A long-running container with limits: looked at from outside while it runs.
b=/tmp/bundle-sd1
mkdir -p $b
jq '.root.path = "/tmp/rootfs" | .linux.cgroupsPath = "system.slice:berth:sd1"
	| .linux.namespaces |= (map(select(.type != "cgroup")) + [{"type": "cgroup"}])
	| .linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 30},
		"cpu": {"shares": 262144, "quota": 50000, "period": 100000},
		"unified": {"memory.high": "52428800"}}
	| .process.args = ["/bin/sh", "-c", "echo max=$(cat /sys/fs/cgroup/memory.max) pids=$(cat /sys/fs/cgroup/pids.max) high=$(cat /sys/fs/cgroup/memory.high); exec sleep 300"]' \
	"$WORK/bundle/config.json" >$b/config.json
(cd $b && "$BERTH_BIN" --systemd-cgroup --root "$STATE" run -d sd1 </dev/null >"$R/sd1.out" 2>&1)
echo $? >"$R/sd1.rc"
wait_file "$R/sd1.out"
sleep 0.5
{
	echo "active=$(show berth-sd1.scope ActiveState)"
	echo "slice=$(show berth-sd1.scope Slice)"
	echo "delegate=$(show berth-sd1.scope Delegate)"
	echo "cgroup=$(show berth-sd1.scope ControlGroup)"
	echo "MemoryMax=$(show berth-sd1.scope MemoryMax)"
	echo "TasksMax=$(show berth-sd1.scope TasksMax)"
	echo "CPUWeight=$(show berth-sd1.scope CPUWeight)"
	echo "CPUQuotaPerSecUSec=$(show berth-sd1.scope CPUQuotaPerSecUSec)"
	d=/sys/fs/cgroup/system.slice/berth-sd1.scope
	echo "files=$(cat $d/memory.max) $(cat $d/pids.max) $(cat $d/cpu.max) $(cat $d/cpu.weight) $(cat $d/memory.high)"
	echo "procs=$(cat $d/cgroup.procs | wc -l) init=$("$BERTH_BIN" --root "$STATE" state sd1 | jq .pid) first=$(head -1 $d/cgroup.procs)"
} >"$R/sd1.props" 2>&1
"$BERTH_BIN" --root "$STATE" update --memory 104857600 --pids-limit 40 sd1 >"$R/sd1.update" 2>&1
echo "rc=$? MemoryMax=$(show berth-sd1.scope MemoryMax) TasksMax=$(show berth-sd1.scope TasksMax) file=$(cat /sys/fs/cgroup/system.slice/berth-sd1.scope/memory.max)" >>"$R/sd1.update"
"$BERTH_BIN" --root "$STATE" delete --force sd1 >"$R/sd1.delete" 2>&1
echo "rc=$? load=$(show berth-sd1.scope LoadState) active=$(show berth-sd1.scope ActiveState) dir=$([ -d /sys/fs/cgroup/system.slice/berth-sd1.scope ] && echo left || echo removed)" >>"$R/sd1.delete"

# Empty cgroupsPath: berth-<id>.scope in system.slice; the scope goes once its process exits.
run_case sd2 '.linux.cgroupsPath = "" | .process.args = ["/bin/cat", "/proc/self/cgroup"]' --systemd-cgroup
echo "load=$(show berth-sd2.scope LoadState) dir=$([ -d /sys/fs/cgroup/system.slice/berth-sd2.scope ] && echo left || echo removed)" >"$R/sd2.after"

# A name ending in .slice makes a slice.
run_case sd3 '.linux.cgroupsPath = "system.slice:berth:berth-sd3.slice" | .linux.resources = {"pids": {"limit": 12}}
	| .process.args = ["/bin/sh", "-c", "echo pids=$(cat /sys/fs/cgroup/pids.max); cat /proc/self/cgroup"]' \
	--systemd-cgroup
echo "load=$(show berth-sd3.slice LoadState) active=$(show berth-sd3.slice ActiveState) dir=$([ -d /sys/fs/cgroup/berth.slice/berth-sd3.slice ] && echo left || echo removed)" >"$R/sd3.after"

# A cgroupfs path is not what the systemd driver takes.
run_case sd4 '.linux.cgroupsPath = "/not/systemd" | .process.args = ["/bin/true"]' --systemd-cgroup
"$BERTH_BIN" --root "$STATE" list >"$R/list" 2>&1
systemctl list-units --all --no-legend 'berth*' >"$R/units" 2>&1
