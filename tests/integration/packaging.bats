#!/usr/bin/env bats
# `make install` and `make uninstall` of a configured build tree
# (BERTH_BUILD_DIR, default the _build directory of the source tree), into
# private DESTDIRs: the layout of programs, man pages, systemd units,
# /etc/crid/crid.conf (kept when present or modified) and bash completion.
# The Debian packages are built by hand (tests/README): too slow for a test.

setup_file() {
	BUILD="${BERTH_BUILD_DIR:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/_build}"
	export BUILD
}

setup() {
	if ! [ -f "$BUILD/Makefile" ]; then skip "no configured build tree at $BUILD (BERTH_BUILD_DIR)"; fi
	if ! grep -q '^install-crid-data:' "$BUILD/Makefile"; then skip "crid is not built in $BUILD"; fi
	D="$BATS_TEST_TMPDIR/dest"
}

# A Debian-like layout, as debian/rules asks for it; the make variables are
# overridden at install time, so the tree's own prefix does not matter.
layout=(prefix=/usr sysconfdir=/etc libexecdir=/usr/libexec systemdsystemunitdir=/lib/systemd/system)

install_to() {
	make -s -C "$BUILD" install DESTDIR="$1" "${layout[@]}" >"$BATS_TEST_TMPDIR/install.log" 2>&1 ||
		{ cat "$BATS_TEST_TMPDIR/install.log" >&2; return 1; }
}

uninstall_from() {
	make -s -C "$BUILD" uninstall DESTDIR="$1" "${layout[@]}" >"$BATS_TEST_TMPDIR/uninstall.log" 2>&1 ||
		{ cat "$BATS_TEST_TMPDIR/uninstall.log" >&2; return 1; }
}

@test "packaging: make install lays out programs, man pages, units, config and completion" {
	install_to "$D"
	for f in usr/bin/berth usr/bin/crid usr/bin/cridctl \
		usr/libexec/crid/crid-monitor usr/libexec/crid/crid-pause usr/libexec/crid/crid-pull; do
		[ -x "$D/$f" ] || { echo "missing program $f" >&2; false; }
	done
	for f in usr/share/man/man8/berth.8 usr/share/man/man8/berth-run.8 usr/share/man/man8/crid.8 \
		usr/share/man/man8/crid-monitor.8 usr/share/man/man5/crid.conf.5 usr/share/man/man1/cridctl.1 \
		lib/systemd/system/crid.service lib/systemd/system/crid.socket etc/crid/crid.conf \
		usr/share/crid/seccomp-default.json \
		usr/share/bash-completion/completions/berth usr/share/bash-completion/completions/cridctl; do
		[ -f "$D/$f" ] || { echo "missing $f" >&2; false; }
	done
	# Every berth subcommand has its page.
	for cmd in $("$D/usr/bin/berth" --help | sed -n '/^COMMANDS:/,/^$/s/^   \([a-z]\+\) .*/\1/p'); do
		[ -f "$D/usr/share/man/man8/berth-$cmd.8" ] || { echo "no man page for berth $cmd" >&2; false; }
	done
	# Units and config name where things were installed, not /usr/local.
	grep -qx 'ExecStart=/usr/bin/crid' "$D/lib/systemd/system/crid.service"
	grep -qx 'ListenStream=/run/crid/crid.sock' "$D/lib/systemd/system/crid.socket"
	! grep -q /usr/local "$D/lib/systemd/system/crid.service" "$D/etc/crid/crid.conf" || false
	grep -q '^#monitor_path = "/usr/libexec/crid/crid-monitor"' "$D/etc/crid/crid.conf"
	grep -q '^#seccomp_default_profile = "/usr/share/crid/seccomp-default.json"' "$D/etc/crid/crid.conf"
	if command -v systemd-analyze >/dev/null; then
		# verify wants the ExecStart binary at its real path: check syntax only.
		run systemd-analyze verify "$D/lib/systemd/system/crid.socket"
		[[ "$output" != *"Unknown key"* && "$output" != *"Unknown section"* ]]
	fi
	# The installed crid reads the installed config.
	"$D/usr/bin/crid" --config "$D/etc/crid/crid.conf" --help >/dev/null
}

@test "packaging: an existing crid.conf survives reinstall; uninstall keeps only a modified one" {
	install_to "$D"
	echo 'log_level = "debug"' >>"$D/etc/crid/crid.conf"
	cp "$D/etc/crid/crid.conf" "$BATS_TEST_TMPDIR/edited"
	install_to "$D"
	cmp "$D/etc/crid/crid.conf" "$BATS_TEST_TMPDIR/edited"

	uninstall_from "$D"
	[ "$(find "$D" -type f -o -type l)" = "$D/etc/crid/crid.conf" ]
	cmp "$D/etc/crid/crid.conf" "$BATS_TEST_TMPDIR/edited"
}

@test "packaging: make uninstall removes every file make install put there" {
	install_to "$D"
	[ "$(find "$D" -type f | wc -l)" -gt 30 ]
	uninstall_from "$D"
	run find "$D" -type f -o -type l
	echo "$output"
	[ -z "$output" ]
}

@test "packaging: the installed bash completion completes commands, flags and ids from the programs" {
	install_to "$D"
	cat >"$BATS_TEST_TMPDIR/comp.bash" <<-'SH'
		# bash-completion's helpers, reduced to what the two scripts use.
		_init_completion() { cur=${COMP_WORDS[COMP_CWORD]}; prev=${COMP_WORDS[COMP_CWORD-1]}; words=("${COMP_WORDS[@]}"); cword=$COMP_CWORD; }
		_filedir() { COMPREPLY=(FILE); }
		comp() { COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=(); "$F"; echo "${COMPREPLY[*]}"; }
	SH
	B="$D/usr/bin/berth" C="$D/usr/bin/cridctl"
	run bash -c "source $BATS_TEST_TMPDIR/comp.bash; source $D/usr/share/bash-completion/completions/berth; F=_berth
		comp $B ch; comp $B exec --t; comp $B --root /nonexistent kill x KI; complete -p berth"
	echo "$output"
	[ "${lines[0]}" = checkpoint ]
	[ "${lines[1]}" = --tty ]
	[ "${lines[2]}" = KILL ]
	[ "${lines[3]}" = "complete -F _berth berth" ]
	run bash -c "source $BATS_TEST_TMPDIR/comp.bash; source $D/usr/share/bash-completion/completions/cridctl; F=_cridctl
		comp $C ins; comp $C pods -s ''; comp $C ps --no; comp $C runp ''"
	echo "$output"
	[ "${lines[0]}" = "inspecti inspectp inspect" ]
	[ "${lines[1]}" = "ready notready" ]
	[ "${lines[2]}" = --no-trunc ]
	[ "${lines[3]}" = FILE ]
}
