#!/usr/bin/env bats
# exec: a process joining a running container, every flag checked from inside.

load helpers

RECVTTY="$INTEGRATION_DIR/recvtty.py"

# A long-running container to exec into.
start_sleeper() {
	set_args sleep 1000
	run_berth_detached run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ] || fail "run -d failed: $output"
	INIT_PID="$(container_pid "$CID")"
}

@test "exec: the process sees the container's rootfs, namespaces and cgroup" {
	start_sleeper
	run_berth exec "$CID" sh -c 'ls /; echo pid=$$; for n in pid mnt net ipc uts; do echo "$n $(readlink /proc/self/ns/$n)"; done'
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == *bin* ]] && [[ "$output" == *proc* ]]
	# Not the host's root: the bundle's rootfs has no /boot or /var/lib.
	[[ "$output" != *boot* ]]
	# Its pid inside the container's pid namespace is small; the init is 1.
	[[ "$output" =~ pid=([0-9]+) ]] && [ "${BASH_REMATCH[1]}" -lt 100 ]
	local n
	for n in pid mnt net ipc uts; do
		[[ "$output" == *"$n $(readlink "/proc/$INIT_PID/ns/$n")"* ]] || fail "$n namespace differs"
	done
	run_berth exec "$CID" cat /proc/self/cgroup
	[ "$status" -eq 0 ]
	local init_cg
	init_cg="$(grep -E '^[0-9]+:pids:' "/proc/$INIT_PID/cgroup")"
	[[ "$output" == *"$init_cg"* ]] || fail "pids cgroup of the exec'd process is not the init's ($init_cg): $output"
}

@test "exec: exit status, including 128+N for a signal" {
	start_sleeper
	run_berth exec "$CID" sh -c 'exit 7'
	[ "$status" -eq 7 ]
	run_berth exec "$CID" sh -c 'kill -9 $$'
	[ "$status" -eq 137 ]
}

@test "exec: --user, --additional-gids, --env, --cwd" {
	start_sleeper
	run_berth exec --user 1000:1000 -g 10 --additional-gids 20 -e FOO=bar --env 'SP=a b' -e PATH=/bin --cwd /tmp \
		"$CID" sh -c 'id -u; id -g; id -G; echo "$FOO|$SP|$PATH"; pwd'
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	[ "${lines[2]}" = "10 20" ] || [ "${lines[2]}" = "1000 10 20" ]
	[ "${lines[3]}" = "bar|a b|/bin" ]
	[ "${lines[4]}" = /tmp ]
	# uid only: the gid stays the config's
	run_berth exec -u 65534 "$CID" sh -c 'id -u; id -g'
	[ "${lines[0]}" = 65534 ]
	[ "${lines[1]}" = 0 ]
}

@test "exec: the config's env is the base and HOME is set" {
	update_config '.process.env = ["PATH=/bin", "FROMCONFIG=1"]'
	start_sleeper
	run_berth exec -e FROMCONFIG=2 "$CID" env
	[ "$status" -eq 0 ]
	[[ " ${lines[*]} " == *" FROMCONFIG=2 "* ]]
	[[ " ${lines[*]} " != *" FROMCONFIG=1 "* ]]
	[[ " ${lines[*]} " == *" HOME=/root "* ]]
	[[ "$output" != *BATS_* ]]
}

@test "exec: --cap adds a capability, --no-new-privs sets the bit; the config's are the default" {
	update_config '.process.noNewPrivileges = false'
	start_sleeper
	run_berth exec "$CID" sh -c 'grep -E "^(CapEff|NoNewPrivs):" /proc/self/status'
	[ "$status" -eq 0 ]
	local base
	base="$(grep -E '^CapEff:' "/proc/$INIT_PID/status" | awk '{print $2}')"
	[[ "${lines[0]}" == *"$base" ]]
	[[ "${lines[1]}" == *0 ]]
	run_berth exec --cap CAP_NET_ADMIN --cap CAP_SYS_ADMIN --no-new-privs "$CID" sh -c 'grep -E "^(CapEff|CapAmb|NoNewPrivs):" /proc/self/status'
	[ "$status" -eq 0 ]
	echo "$output"
	local eff=$((16#$(echo "${lines[0]}" | awk '{print $2}')))
	(((eff >> 12) & 1)) # CAP_NET_ADMIN
	(((eff >> 21) & 1)) # CAP_SYS_ADMIN
	[[ "${lines[2]}" == *1 ]]
	# With them, the process can really do what they allow.
	run_berth exec --cap CAP_NET_ADMIN "$CID" ip link set lo mtu 1500
	[ "$status" -eq 0 ]
	run_berth exec "$CID" ip link set lo mtu 1500
	[ "$status" -ne 0 ]
}

@test "exec: the config's rlimits and seccomp apply" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 777, "hard": 888}]
		| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	start_sleeper
	run_berth exec "$CID" sh -c 'ulimit -n; ulimit -Hn; mkdir /tmp/x 2>&1; grep Seccomp: /proc/self/status'
	echo "$output"
	[ "${lines[0]}" = 777 ]
	[ "${lines[1]}" = 888 ]
	[[ "${lines[2]}" == *"not permitted"* ]]
	[[ "${lines[3]}" == *2 ]]
}

@test "exec: --process takes the whole process from a file" {
	start_sleeper
	cat >"$BATS_TEST_TMPDIR/process.json" <<-'JSON'
	{"args": ["sh", "-c", "id -u; pwd; echo $X"], "cwd": "/etc", "env": ["X=from-file", "PATH=/bin"],
	 "user": {"uid": 5, "gid": 6}}
	JSON
	run_berth exec --process "$BATS_TEST_TMPDIR/process.json" "$CID"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 5 ]
	[ "${lines[1]}" = /etc ]
	[ "${lines[2]}" = from-file ]
	echo '{"args": "nope"}' >"$BATS_TEST_TMPDIR/bad.json"
	run_berth exec --process "$BATS_TEST_TMPDIR/bad.json" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *"bad.json: process.args"* ]]
}

@test "exec: --detach and --pid-file" {
	start_sleeper
	# The detached process keeps its stdio: files, so bats does not wait on a pipe.
	berth exec -d --pid-file "$BATS_TEST_TMPDIR/pid" "$CID" sh -c 'echo $$ > /dev/shm/mypid; sleep 1000' \
		</dev/null >"$CTR_STDOUT" 2>"$CTR_STDERR"
	local pid
	pid="$(cat "$BATS_TEST_TMPDIR/pid")"
	[ -d "/proc/$pid" ]
	[ "$(readlink "/proc/$pid/ns/pid")" = "$(readlink "/proc/$INIT_PID/ns/pid")" ]
	# The container's view of that pid is what the process wrote itself.
	for ((i = 0; i < 50; i++)); do
		run_berth exec "$CID" cat /dev/shm/mypid
		[ "$status" -eq 0 ] && break
		sleep 0.1
	done
	echo "inside: $output; $(grep NSpid "/proc/$pid/status")"
	[ "$(grep NSpid "/proc/$pid/status" | awk '{print $3}')" = "$output" ]
	# It joined the container's cgroup: berth ps lists it beside the init.
	run_berth ps -f json "$CID"
	echo "ps: $output"
	jq -e --argjson p "$pid" 'index($p) != null' <<<"$output"
	jq -e --argjson p "$INIT_PID" 'index($p) != null' <<<"$output"
}

@test "exec: --preserve-fds passes fds 3.. and nothing else" {
	start_sleeper
	run "$BERTH" --root "$ROOT" exec --preserve-fds 1 "$CID" sh -c 'cat <&3; ls /proc/self/fd' 3<<<"through-fd3"
	[ "$status" -eq 0 ]
	echo "$output"
	[ "${lines[0]}" = through-fd3 ]
	# 0 1 2 3, and the fd ls opens for the directory
	[ "$(echo "${lines[@]:1}" | wc -w)" -le 5 ]
	run "$BERTH" --root "$ROOT" exec "$CID" ls /proc/self/fd 3<<<"not-passed"
	[ "$(echo "$output" | wc -w)" -le 4 ]
}

@test "exec: --tty in the foreground gives the process a terminal" {
	start_sleeper
	run_berth exec -t "$CID" sh -c '[ -t 0 ] && [ -t 1 ] && echo is-a-tty; tty' </dev/null
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "${lines[0]}" == is-a-tty* ]]
	[[ "${lines[1]}" == /dev/pts/* ]]
}

@test "exec: --tty --detach sends the pty to --console-socket" {
	command -v python3 >/dev/null || skip "python3 is needed for the console-socket receiver"
	start_sleeper
	local sock="$BATS_TEST_TMPDIR/console.sock" out="$BATS_TEST_TMPDIR/tty.out"
	python3 "$RECVTTY" "$sock" >"$out" 2>&1 &
	local rpid=$!
	on_teardown kill "$rpid"
	for ((i = 0; i < 50; i++)); do [ -S "$sock" ] && break; sleep 0.1; done
	run_berth exec -t -d --console-socket "$sock" "$CID" sh -c 'tty; echo done'
	[ "$status" -eq 0 ]
	for ((i = 0; i < 100; i++)); do kill -0 "$rpid" 2>/dev/null || break; sleep 0.1; done
	cat "$out"
	grep -q '^/dev/pts/' "$out"
	grep -q done "$out"
	run_berth exec -t -d "$CID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *console-socket* ]]
}

@test "exec: --cgroup runs the process in a sub-cgroup" {
	start_sleeper
	local sub
	# The pids hierarchy: v1 here, v2 hosts name the sub-cgroup under the unified path.
	if [ -f /sys/fs/cgroup/cgroup.controllers ]; then
		sub="/sys/fs/cgroup$(awk -F: '$1 == 0 {print $3}' "/proc/$INIT_PID/cgroup")/sub"
		mkdir "$sub"
		on_teardown rmdir "$sub"
		run_berth exec --cgroup sub "$CID" cat /proc/self/cgroup
	else
		sub="/sys/fs/cgroup/pids$(awk -F: '$2 == "pids" {print $3}' "/proc/$INIT_PID/cgroup")/sub"
		mkdir "$sub"
		on_teardown rmdir "$sub"
		run_berth exec --cgroup pids:sub "$CID" cat /proc/self/cgroup
	fi
	[ "$status" -eq 0 ]
	echo "$output"
	[[ "$output" == */sub* ]]
	run_berth exec --cgroup nosuch "$CID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"does not exist"* ]]
	run_berth exec --cgroup ../escape "$CID" true
	[ "$status" -ne 0 ]
}

@test "exec: into a paused container is a clear error" {
	start_sleeper
	local freezer
	if [ -d /sys/fs/cgroup/freezer ]; then
		freezer="/sys/fs/cgroup/freezer$(awk -F: '$2 == "freezer" {print $3}' "/proc/$INIT_PID/cgroup")/freezer.state"
		echo FROZEN >"$freezer"
		on_teardown sh -c "echo THAWED > $freezer"
	else
		skip "no v1 freezer on this host"
	fi
	run_berth exec "$CID" true
	echo THAWED >"$freezer"
	[ "$status" -ne 0 ]
	[[ "$output" == *"paused"* ]]
}

@test "exec: into a stopped container is a clear error" {
	set_args true
	run_berth_detached run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	wait_for_status "$CID" stopped
	run_berth exec "$CID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"stopped container"* ]]
	run_berth exec nosuchcontainer true
	[ "$status" -ne 0 ]
}

@test "exec: into a created container works, as in runc" {
	create_container
	run_berth exec "$CID" echo hello
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	[ "$(container_status "$CID")" = created ]
}

@test "exec: the container's init exiting ends the process: no hang, no zombie" {
	# Long enough for the exec to join under load, short enough to end first.
	set_args sleep 3
	run_berth_detached run -d --bundle "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	local start=$SECONDS
	run timeout 20 "$BERTH" --root "$ROOT" exec "$CID" sleep 30
	echo "status $status after $((SECONDS - start))s"
	# SIGKILL by the dying pid namespace
	[ "$status" -eq 137 ]
	[ $((SECONDS - start)) -lt 10 ]
	# Nothing left with a berth exec as its parent.
	! ps -eo ppid=,stat= | awk -v p=$$ '$1 == p && $2 ~ /Z/' | grep -q . || false
}

@test "exec: signals to berth reach the process" {
	start_sleeper
	"$BERTH" --root "$ROOT" exec "$CID" sh -c 'trap "echo got-term; exit 3" TERM; echo trapping; while :; do sleep 0.1; done' >"$BATS_TEST_TMPDIR/out" &
	local bpid=$! i
	# A TERM sent before the trap is set would end sh with 143.
	for i in $(seq 100); do
		grep -q trapping "$BATS_TEST_TMPDIR/out" && break
		sleep 0.1
	done
	kill -TERM "$bpid"
	local rc=0
	wait "$bpid" || rc=$?
	cat "$BATS_TEST_TMPDIR/out"
	[ "$rc" -eq 3 ]
	grep -q got-term "$BATS_TEST_TMPDIR/out"
}

@test "exec: --ignore-paused waits in the frozen cgroup and runs once the container is resumed" {
	update_config '.root.readonly = false'
	start_sleeper
	berth pause "$CID"
	on_teardown "$BERTH" --root "$ROOT" resume "$CID"
	run_berth exec "$CID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *"cannot exec in a paused container (use --ignore-paused to override)"* ]]
	# As runc 1.1.5 does (checked by hand against it): the process joins the
	# frozen cgroup, so exec does not return while the container is paused,
	# and the command runs once it is resumed.
	"$BERTH" --root "$ROOT" exec --ignore-paused "$CID" sh -c 'echo ran >/tmp/ignore-paused' &
	local execer=$!
	sleep 1
	kill -0 "$execer"
	[ ! -e "$BUNDLE/rootfs/tmp/ignore-paused" ]
	[ "$(container_status "$CID")" = paused ]
	berth resume "$CID"
	local rc=0
	timeout 10 tail --pid="$execer" -f /dev/null || rc=$?
	[ "$rc" -eq 0 ]
	wait "$execer"
	[ "$(cat "$BUNDLE/rootfs/tmp/ignore-paused")" = ran ]
}

@test "exec: --process-label without SELinux is an error naming the flag" {
	[ -e /sys/fs/selinux/enforce ] && skip "SELinux is enabled here"
	start_sleeper
	run_berth exec --process-label system_u:system_r:container_t:s0 "$CID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *'--process-label "system_u:system_r:container_t:s0": SELinux is not enabled on this host (no /sys/fs/selinux'* ]]
	# The same label from a --process file is refused the same way.
	jq -n '{args: ["true"], cwd: "/", selinuxLabel: "system_u:system_r:container_t:s0"}' >"$BATS_TEST_TMPDIR/p.json"
	run_berth exec --process "$BATS_TEST_TMPDIR/p.json" "$CID"
	[ "$status" -ne 0 ]
	[[ "$output" == *'--process: selinuxLabel "system_u:system_r:container_t:s0": SELinux is not enabled'* ]]
	[ "$(container_status "$CID")" = running ]
}

@test "exec: --apparmor without AppArmor is an error naming the flag" {
	[ -e /sys/kernel/security/apparmor ] && skip "AppArmor is enabled here (apparmor_vm.bats covers the real profile)"
	start_sleeper
	run_berth exec --apparmor berth-test "$CID" true
	[ "$status" -ne 0 ]
	[[ "$output" == *'--apparmor "berth-test": AppArmor is not enabled on this host (no /sys/kernel/security/apparmor)'* ]]
	# Without the flag, exec runs (the config asks for no profile).
	run_berth exec "$CID" true
	[ "$status" -eq 0 ]
}
