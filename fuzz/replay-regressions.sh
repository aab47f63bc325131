#!/bin/bash
# `make check` part: every fuzz target's entry point, built without libFuzzer
# (fuzz/replay_<target>), over its seeds (fuzz/corpus/<target>/) and the
# inputs that once crashed it (fuzz/regressions/<target>/). A crash or a
# sanitizer report (in a --enable-sanitizers tree) fails the test.
set -uo pipefail
src="$(cd "${srcdir:-.}" && pwd)"
rc=0 ran=0
for bin in fuzz/replay_*; do
	[[ -x $bin ]] || continue
	name="${bin##*/replay_}"
	dirs=()
	for d in "$src/fuzz/corpus/$name" "$src/fuzz/regressions/$name"; do
		[[ -d $d ]] && dirs+=("$d")
	done
	((${#dirs[@]})) || continue
	if "$bin" "${dirs[@]}"; then ran=$((ran + 1)); else echo "FAIL: $name"; rc=1; fi
done
if ((ran == 0 && rc == 0)); then
	echo "no fuzz replay programs were built"
	exit 77
fi
exit $rc
