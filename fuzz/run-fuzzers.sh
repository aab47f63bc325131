#!/bin/bash
# `make fuzz`: runs each libFuzzer target for FUZZ_SECONDS (default 35) over a
# working corpus in fuzz/work/<target>/ (the build tree; new inputs go there)
# and its checked-in seeds in $srcdir/fuzz/corpus/<target>/ (read only).
# A crash, leak, timeout or sanitizer report fails the run; the input that
# caused it is kept in fuzz/crashes/<target>/ (copy it into
# fuzz/regressions/<target>/ once fixed, so `make check` replays it).
# Usage: run-fuzzers.sh SRCDIR fuzz/fuzz_NAME...
set -uo pipefail
src="$1"; shift
seconds="${FUZZ_SECONDS:-35}"
failed=()
for bin in "$@"; do
	name="${bin##*/fuzz_}"
	mkdir -p "fuzz/work/$name" "fuzz/crashes/$name"
	log="fuzz/work/$name.log"
	echo "fuzz $name: ${seconds}s"
	# -timeout: an input that takes this long is a hang, reported as a crash.
	if ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}" \
		"./$bin" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
		-artifact_prefix="fuzz/crashes/$name/" -print_final_stats=1 \
		"fuzz/work/$name" "$src/fuzz/corpus/$name" >"$log" 2>&1; then
		grep -E '^stat::number_of_executed_units|^#[0-9]+ *DONE' "$log" | tail -1 | sed "s/^/  $name: /"
	else
		failed+=("$name")
		echo "  $name: FAILED (log: $log; inputs: fuzz/crashes/$name/)"
		grep -E 'ERROR: |SUMMARY: |runtime error' "$log" | head -5 | sed 's/^/    /'
	fi
done
if ((${#failed[@]})); then
	echo "make fuzz: ${#failed[@]} target(s) failed: ${failed[*]}"
	exit 1
fi
echo "make fuzz: $# targets ran ${seconds}s each, no crash"
