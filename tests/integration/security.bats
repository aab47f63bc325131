#!/usr/bin/env bats
# security: process attributes and the seccomp listener, read back from
# inside the container.

load helpers

@test "process.oomScoreAdj is the container's oom_score_adj" {
	update_config '.process.oomScoreAdj = 500'
	run_in_container cat /proc/self/oom_score_adj
	[ "$status" -eq 0 ]
	[ "$output" = 500 ]
}

@test "process.oomScoreAdj below the runtime's without CAP_SYS_RESOURCE is a clear error" {
	# On a host where the runtime may lower it, there is nothing to refuse.
	if grep -q '^CapEff:.*' /proc/self/status && capsh --has-p=cap_sys_resource 2>/dev/null; then
		skip "this host grants CAP_SYS_RESOURCE"
	fi
	update_config '.process.oomScoreAdj = -998'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.oomScoreAdj: cannot set -998"*"CAP_SYS_RESOURCE"* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
}

@test "process.ioPriority is what ionice reports" {
	update_config '.process.ioPriority = {"class": "IOPRIO_CLASS_BE", "priority": 6}'
	run_in_container ionice -p 1
	[ "$status" -eq 0 ]
	[[ "$output" == *"best-effort"*"prio 6"* || "$output" == *"best-effort: prio 6"* ]]
}

@test "process.scheduler sets the policy and nice value" {
	update_config '.process.scheduler = {"policy": "SCHED_BATCH", "nice": 7}'
	# /proc/self/stat: field 19 is nice, 41 the policy (3 = SCHED_BATCH).
	run_in_container sh -c 'cut -d" " -f19,41 /proc/self/stat'
	[ "$status" -eq 0 ]
	[ "$output" = "7 3" ]
}

@test "process.execCPUAffinity.final is the process's CPU set" {
	update_config '.process.execCPUAffinity = {"initial": "0-1", "final": "1"}'
	run_in_container sh -c 'grep Cpus_allowed_list /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "$output" == *$'\t'1 ]]
}

@test "a bad CPU list is an error naming the field" {
	update_config '.process.execCPUAffinity = {"initial": "9999"}'
	run_in_container true
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.execCPUAffinity.initial"* ]]
}

@test "linux.personality LINUX32 makes uname report a 32-bit machine" {
	[ "$(uname -m)" = x86_64 ] || skip "only checked on x86_64"
	update_config '.linux.personality = {"domain": "LINUX32"}'
	run_in_container uname -m
	[ "$status" -eq 0 ]
	[ "$output" = i686 ]
}

@test "linux.memoryPolicy MPOL_BIND shows in numa_maps" {
	[ -e /proc/self/numa_maps ] || skip "kernel without NUMA"
	update_config '.linux.memoryPolicy = {"mode": "MPOL_BIND", "nodes": "0"}'
	run_in_container sh -c 'grep -c "bind:0" /proc/self/numa_maps'
	[ "$status" -eq 0 ]
	[ "$output" -gt 0 ]
}

listener_test() {
	local nnp="$1"
	local sock="$BATS_TEST_TMPDIR/agent.sock" out="$BATS_TEST_TMPDIR/agent"
	"$INTEGRATION_DIR/seccomp_listener.py" "$sock" "$out" &
	local agent=$!
	on_teardown kill "$agent"
	for ((i = 0; i < 50; i++)); do [ -e "$out.ready" ] && break; sleep 0.1; done
	update_config --arg s "$sock" --argjson nnp "$nnp" '.process.noNewPrivileges = $nnp |
		.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "listenerPath": $s, "listenerMetadata": "meta=1",
		  "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_NOTIFY"}]}'
	set_args sh -c 'grep Seccomp: /proc/self/status; mkdir /tmp/x 2>&1; echo "rc=$?"'
	create_container
	pid="$(container_pid "$CID")"
	wait "$agent"
	[ "$(jq -r .ociVersion "$out.json")" != null ]
	[ "$(jq -c .fds "$out.json")" = '["seccompFd"]' ]
	[ "$(jq -r .pid "$out.json")" = "$pid" ]
	[ "$(jq -r .metadata "$out.json")" = meta=1 ]
	[ "$(jq -r .state.id "$out.json")" = "$CID" ]
	[ "$(jq -r .state.status "$out.json")" = creating ]
	[ "$(cat "$out.fdlink")" = "anon_inode:seccomp notify" ]
	berth start "$CID"
	wait_for_status "$CID" stopped
	cat "$CTR_STDOUT"
	grep -q 'Seccomp:.*2' "$CTR_STDOUT"
	# The agent closed the listener: a notified syscall fails instead of running.
	grep -q 'rc=1' "$CTR_STDOUT"
}

@test "seccomp NOTIFY: listenerPath gets the fd and the state (noNewPrivileges)" {
	listener_test true
}

@test "seccomp NOTIFY: listenerPath gets the fd and the state (without noNewPrivileges)" {
	listener_test false
}

@test "seccomp NOTIFY with no agent listening fails create and names the field" {
	update_config --arg s "$BATS_TEST_TMPDIR/nobody.sock" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW",
		"listenerPath": $s, "syscalls": [{"names": ["mkdir"], "action": "SCMP_ACT_NOTIFY"}]}'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.seccomp.listenerPath: connect to"* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
}

@test "an AppArmor profile on a host without AppArmor is an error naming the field" {
	[ -d /sys/kernel/security/apparmor ] && skip "AppArmor is enabled here"
	update_config '.process.apparmorProfile = "berth-test"'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'process.apparmorProfile: "berth-test" asked for, but AppArmor is not enabled'* ]]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
}

@test "an SELinux label on a host without SELinux is an error naming the field" {
	[ -e /sys/fs/selinux/enforce ] && skip "SELinux is enabled here"
	update_config '.process.selinuxLabel = "system_u:system_r:container_t:s0"'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"process.selinuxLabel: "*"SELinux is not enabled"* ]]
}

@test "linux.intelRdt without resctrl is an error naming the field" {
	[ -e /sys/fs/resctrl/info ] && skip "resctrl is mounted here"
	update_config '.linux.intelRdt = {"closID": "berth"}'
	run_berth_detached create --bundle "$BUNDLE" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"linux.intelRdt: needs the resctrl filesystem"* ]]
}
