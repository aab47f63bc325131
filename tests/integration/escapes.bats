#!/usr/bin/env bats
# Escapes that hit other runtimes, each a test that fails if it reopens.

load helpers

@test "CVE-2019-5736: the init cannot be opened through /proc/1/exe before exec" {
	# A startContainer hook runs in the container, with its capabilities,
	# while pid 1 is still the runtime's copy: the moment runc was attacked.
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$OUT"
	update_config --arg out "$OUT" '.mounts += [{"destination": "/out", "type": "bind", "source": $out, "options": ["rbind", "rw"]}] |
		.hooks.startContainer = [{"path": "/bin/sh", "args": ["sh", "-c",
		  "{ echo x >>/proc/1/exe && echo WRITE-OK; head -c 4 /proc/1/exe >/dev/null && echo READ-OK; readlink /proc/1/exe && echo LINK-OK; } >/out/hook 2>&1; true"]}]'
	set_args sh -c 'readlink /proc/1/exe'
	create_container
	berth start "$CID"
	wait_for_status "$CID" stopped
	cat "$OUT/hook"
	# The hook ran and tried: each attempt left its error.
	[ "$(grep -c /proc/1/exe "$OUT/hook")" -ge 2 ]
	! grep -q 'WRITE-OK' "$OUT/hook" || false
	! grep -q 'READ-OK' "$OUT/hook" || false
	! grep -q 'LINK-OK' "$OUT/hook" || false
	# After exec, pid 1 is the container's own binary, not the runtime.
	[ "$(cat "$CTR_STDOUT")" = /bin/busybox ] || [ "$(cat "$CTR_STDOUT")" = /bin/sh ]
}

@test "CVE-2019-5736: pid 1 after exec cannot be used to overwrite its binary from the host side" {
	set_args sh -c 'echo x >>/proc/1/exe && echo WRITE-OK; true'
	run_berth run --bundle "$BUNDLE" "$CID"
	[[ "$output" != *WRITE-OK* ]]
	# The host's runtime binary is untouched.
	"$BERTH" --version >/dev/null
}

@test "CVE-2024-21626: only fds 0, 1 and 2 reach the process" {
	# ls itself holds its directory open as fd 3.
	run_in_container ls /proc/self/fd
	[ "$status" -eq 0 ]
	echo "$output"
	[ "$(echo $output)" = "0 1 2 3" ]
}

@test "CVE-2024-21626: --preserve-fds passes exactly the ones asked for" {
	set_args ls /proc/self/fd
	# fd 5 is open too and must not pass; bats' own fds are replaced in the subshell.
	run bash -c 'exec 3>"$4/three" 4>"$4/four" 5>"$4/five"; exec "$0" --root "$1" run --preserve-fds 2 --bundle "$2" "$3"' \
		"$BERTH" "$ROOT" "$BUNDLE" "$CID" "$BATS_TEST_TMPDIR"
	[ "$status" -eq 0 ]
	[ "$(echo $output)" = "0 1 2 3 4 5" ]
}

@test "CVE-2024-21626: process.cwd at /proc/self/fd/N is refused or stays inside" {
	marker="berth-escape-marker-$CID"
	echo host >"/tmp/$marker"
	on_teardown rm -f "/tmp/$marker"
	for n in 3 4 5 6 7 8; do
		update_config --arg c "/proc/self/fd/$n" '.process.cwd = $c'
		set_args sh -c "cat ../../../../../../../../tmp/$marker"
		run_berth run --bundle "$BUNDLE" "$CID"
		[[ "$output" != *host* ]] || fail "cwd /proc/self/fd/$n reached the host: $output"
		"$BERTH" --root "$ROOT" delete --force "$CID" >/dev/null 2>&1 || true
	done
}

@test "CVE-2021-30465: a symlinked mount target cannot land outside the rootfs" {
	HOSTDIR="$BATS_TEST_TMPDIR/host-target"
	mkdir -p "$HOSTDIR"
	ln -s "$HOSTDIR" "$BUNDLE/rootfs/abs-escape"
	ln -s "../../../../../../../../../../../$HOSTDIR" "$BUNDLE/rootfs/rel-escape"
	update_config '.mounts += [{"destination": "/abs-escape", "type": "tmpfs", "source": "tmpfs"},
		{"destination": "/rel-escape", "type": "tmpfs", "source": "tmpfs"}]'
	set_args sh -c 'touch /abs-escape/pwned-abs /rel-escape/pwned-rel; sleep 100'
	create_container
	berth start "$CID"
	sleep 0.3
	# Nothing mounted on the host directory, nothing written into it.
	! grep -q " $HOSTDIR " /proc/self/mountinfo || false
	[ -z "$(ls -A "$HOSTDIR")" ]
}

@test "masked paths stay masked and /proc/sys stays read-only in the default spec" {
	run_in_container sh -c '
		[ "$(wc -c </proc/keys)" = 0 ] && echo keys-masked
		[ -z "$(ls -A /sys/firmware 2>/dev/null)" ] && echo firmware-masked
		echo 1 >/proc/sys/kernel/domainname 2>/dev/null || echo sys-ro
		[ -e /proc/sysrq-trigger ] || echo sysrq-ro
		echo h 2>/dev/null >/proc/sysrq-trigger || echo sysrq-ro
		umount /proc/keys 2>/dev/null || echo umount-refused
		mkdir -p /tmp/p 2>/dev/null; mount -t proc proc /tmp/p 2>/dev/null || echo proc-refused
		mount --bind /proc /tmp/p 2>/dev/null || echo bind-refused
		true'
	echo "$output"
	for w in keys-masked firmware-masked sys-ro sysrq-ro umount-refused proc-refused bind-refused; do
		[[ "$output" == *"$w"* ]] || fail "missing $w"
	done
}
