#!/usr/bin/env bats
# process: args, env, cwd, user, umask, rlimits, sysctl, seen from inside.

load helpers

@test "args reach the process verbatim" {
	run_in_container sh -c 'printf "%s|" "$@"' zero one "two words" '$HOME' ''
	[ "$status" -eq 0 ]
	[ "$output" = 'one|two words|$HOME||' ]
}

@test "env is exactly the config's" {
	update_config '.process.env = ["PATH=/bin", "FOO=bar baz", "EMPTY="]'
	run_in_container env
	[ "$status" -eq 0 ]
	echo "$output"
	[[ " ${lines[*]} " == *" FOO=bar baz "* ]]
	[[ " ${lines[*]} " == *" PATH=/bin "* ]]
	[[ " ${lines[*]} " == *" EMPTY= "* ]]
	# Nothing of the runtime's own environment leaks in.
	[[ "$output" != *BATS_* ]]
}

@test "cwd is the config's" {
	update_config '.process.cwd = "/home/user"'
	run_in_container pwd
	[ "$status" -eq 0 ]
	[ "$output" = /home/user ]
}

@test "a cwd missing from the rootfs is created" {
	update_config '.process.cwd = "/work/dir" | .root.readonly = false'
	run_in_container pwd
	[ "$status" -eq 0 ]
	[ "$output" = /work/dir ]
}

@test "user uid, gid and additionalGids are what id reports" {
	update_config '.process.user = {"uid": 1000, "gid": 1000, "additionalGids": [10, 20]}'
	run_in_container sh -c 'id -u; id -g; id -G'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 1000 ]
	[ "${lines[1]}" = 1000 ]
	local groups=" ${lines[2]} "
	[[ "$groups" == *" 10 "* ]]
	[[ "$groups" == *" 20 "* ]]
	[[ "$groups" != *" 0 "* ]]
}

@test "a non-root user has no capabilities left" {
	update_config '.process.user = {"uid": 65534, "gid": 65534}'
	run_in_container sh -c 'grep -E "^Cap(Eff|Prm):" /proc/self/status'
	[ "$status" -eq 0 ]
	[[ "${lines[0]}" == *0000000000000000 ]]
	[[ "${lines[1]}" == *0000000000000000 ]]
}

@test "umask is the config's" {
	update_config '.process.user.umask = 63' # 077
	run_in_container sh -c 'umask; touch /dev/shm/f; stat -c %a /dev/shm/f'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = 0077 ]
	[ "${lines[1]}" = 600 ]
}

@test "the default umask is 0022" {
	run_in_container sh -c umask
	[ "$status" -eq 0 ]
	[ "$output" = 0022 ]
}

@test "rlimits are applied" {
	update_config '.process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 512, "hard": 768},
	                                   {"type": "RLIMIT_NPROC", "soft": 300, "hard": 400}]'
	run_in_container sh -c 'ulimit -Sn; ulimit -Hn; ulimit -Su; ulimit -Hu'
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "512 768 300 400" ]
}

@test "sysctls are applied inside the container's namespaces" {
	update_config '.linux.sysctl = {"net.ipv4.ip_forward": "1", "kernel.shmmni": "1234", "kernel.msgmax": "4321"}'
	local host_fwd
	host_fwd="$(cat /proc/sys/net/ipv4/ip_forward)"
	run_in_container sh -c 'cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/sys/kernel/msgmax'
	[ "$status" -eq 0 ]
	[ "${lines[*]}" = "1 1234 4321" ]
	[ "$(cat /proc/sys/net/ipv4/ip_forward)" = "$host_fwd" ]
	[ "$(cat /proc/sys/kernel/shmmni)" != 1234 ]
}

@test "noNewPrivileges sets no_new_privs" {
	update_config '.process.noNewPrivileges = true'
	run_in_container grep NoNewPrivs /proc/self/status
	[ "$status" -eq 0 ]
	[[ "$output" == *1 ]]
	update_config '.process.noNewPrivileges = false'
	run_in_container grep NoNewPrivs /proc/self/status
	[ "$status" -eq 0 ]
	[[ "$output" == *0 ]]
}

@test "stdin, stdout and stderr are passed through" {
	set_args sh -c 'cat; echo to-stderr >&2'
	run bash -c 'echo from-stdin | "$1" --root "$2" run --bundle "$3" "$4" 2>/dev/null' \
		_ "$BERTH" "$ROOT" "$BUNDLE" "$CID"
	[ "$status" -eq 0 ]
	[ "$output" = from-stdin ]
	run bash -c '"$1" --root "$2" run --bundle "$3" "$4" </dev/null 2>&1 >/dev/null' \
		_ "$BERTH" "$ROOT" "$BUNDLE" "${CID}-b"
	[ "$status" -eq 0 ]
	[ "$output" = to-stderr ]
}

@test "no file descriptor of the runtime leaks into the container" {
	run_in_container sh -c 'ls /proc/self/fd | sort -n | tr "\n" " "'
	[ "$status" -eq 0 ]
	# 0, 1, 2 and the one ls opened to read the directory.
	[ "$output" = "0 1 2 3 " ]
}

@test "--preserve-fds passes extra descriptors through" {
	set_args sh -c 'cat <&3'
	run bash -c 'exec 3<"$5"; "$1" --root "$2" run --preserve-fds 1 --bundle "$3" "$4" </dev/null' \
		_ "$BERTH" "$ROOT" "$BUNDLE" "$CID" "$BUNDLE/rootfs/etc/group"
	[ "$status" -eq 0 ]
	[[ "$output" == *nogroup* ]]
}
