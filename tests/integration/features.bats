#!/usr/bin/env bats
# features: the runtime-spec features document, checked against what the
# binary and this host really do.

load helpers

features() { "$BERTH" features; }

@test "features: valid JSON with the spec's version range" {
	run features
	[ "$status" -eq 0 ]
	echo "$output" | jq -e . >/dev/null
	[ "$(echo "$output" | jq -r .ociVersionMin)" = 1.0.0 ]
	[ "$(echo "$output" | jq -r .ociVersionMax)" = 1.3.0 ]
	echo "$output" | jq -e '.hooks | type == "array"'
	# hooks.bats runs each of these for real.
	[ "$(echo "$output" | jq -r '.hooks | sort | join(",")')" = \
		createContainer,createRuntime,poststart,poststop,prestart,startContainer ]
	echo "$output" | jq -e '.annotations["org.opencontainers.runc.checkpoint.enabled"] == "false"'
}

@test "features: every namespace of this kernel is listed and usable" {
	local ns expected
	for ns in cgroup ipc mnt net pid time user uts; do
		[ -e "/proc/self/ns/$ns" ] || continue
		case $ns in mnt) expected=mount ;; net) expected=network ;; *) expected=$ns ;; esac
		features | jq -e --arg n "$expected" '.linux.namespaces | index($n) != null' >/dev/null ||
			fail "namespace $expected missing"
	done
	# A namespace listed is one a container gets: uts, by hostname.
	update_config '.hostname = "featurebox"'
	run_in_container hostname
	[ "$output" = featurebox ]
}

@test "features: capabilities are the kernel's, and a listed one works in a container" {
	local last n
	last="$(cat /proc/sys/kernel/cap_last_cap)"
	n="$(features | jq '.linux.capabilities | length')"
	[ "$n" -eq $((last + 1)) ]
	features | jq -e '.linux.capabilities | index("CAP_CHOWN") == 0' >/dev/null
	update_config '.process.capabilities = {"bounding": ["CAP_NET_ADMIN"], "effective": ["CAP_NET_ADMIN"], "permitted": ["CAP_NET_ADMIN"]}'
	run_in_container ip link set lo mtu 1500
	[ "$status" -eq 0 ]
}

@test "features: seccomp tables and a supported flag that loads" {
	run features
	echo "$output" | jq -e '.linux.seccomp.enabled == true'
	echo "$output" | jq -e '.linux.seccomp.actions | index("SCMP_ACT_ERRNO") != null'
	echo "$output" | jq -e '.linux.seccomp.operators | index("SCMP_CMP_MASKED_EQ") != null'
	echo "$output" | jq -e '.linux.seccomp.archs | index("SCMP_ARCH_X86_64") != null'
	# supportedFlags is a subset of knownFlags
	echo "$output" | jq -e '.linux.seccomp as $s | ($s.supportedFlags - $s.knownFlags) == []'
	# The libseccomp annotation matches what berth --version says.
	local v
	v="$(echo "$output" | jq -r '.annotations["io.github.seccomp.libseccomp.version"]')"
	"$BERTH" --version | grep -qx "libseccomp: $v"
	local flag
	flag="$(echo "$output" | jq -r '.linux.seccomp.supportedFlags[] | select(. == "SECCOMP_FILTER_FLAG_LOG")')"
	[ -n "$flag" ] || skip "SECCOMP_FILTER_FLAG_LOG not supported here"
	update_config --arg f "$flag" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "flags": [$f], "syscalls": [{"names": ["mkdirat", "mkdir"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}'
	run_in_container sh -c 'mkdir /dev/shm/x 2>&1; echo rc=$?'
	[[ "$output" == *"rc=1"* ]]
}

@test "features: mount options listed are accepted, idmap is reported as it is handled" {
	run features
	echo "$output" | jq -e '.mountOptions | index("nosuid") != null and index("rbind") != null'
	# Every option listed is accepted in a real mount.
	local opt
	for opt in nosuid noexec nodev ro relatime; do
		echo "$output" | jq -e --arg o "$opt" '.mountOptions | index($o) != null' >/dev/null || fail "$opt missing"
	done
	update_config '.mounts += [{"destination": "/mnt", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "noexec", "nodev", "ro", "relatime"]}]'
	run_in_container sh -c 'grep " /mnt " /proc/self/mounts'
	[ "$status" -eq 0 ]
	[[ "$output" == *ro,nosuid,nodev,noexec,relatime* ]]
	# idmap: listed and enabled exactly when a mount with it is accepted.
	local enabled
	run features
	enabled="$(echo "$output" | jq -r .linux.mountExtensions.idmap.enabled)"
	mkdir -p "$BATS_TEST_TMPDIR/idm"
	update_config --arg s "$BATS_TEST_TMPDIR/idm" '.mounts[-1] = {"destination": "/mnt", "type": "bind", "source": $s, "options": ["rbind", "idmap"], "uidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}], "gidMappings": [{"containerID": 0, "hostID": 1000, "size": 1}]}'
	run_in_container true
	if [ "$enabled" = true ]; then [ "$status" -eq 0 ]; else [ "$status" -ne 0 ]; fi
}

@test "features: cgroup, lsm and rdt sections" {
	run features
	echo "$output" | jq -e '.linux.cgroup | has("v1") and has("v2") and has("systemd") and has("systemdUser") and has("rdma")'
	# What this host has: runc reports the LSMs and resctrl the same way.
	local aa=false se=false rdt=false
	[ -d /sys/kernel/security/apparmor ] && [ "$(cat /sys/module/apparmor/parameters/enabled 2>/dev/null)" = Y ] && aa=true
	[ -e /sys/fs/selinux/enforce ] && se=true
	[ -e /sys/fs/resctrl/info ] && rdt=true
	echo "$output" | jq -e --argjson aa $aa --argjson se $se --argjson rdt $rdt \
		'.linux.apparmor.enabled == $aa and .linux.selinux.enabled == $se and .linux.intelRdt.enabled == $rdt'
}
