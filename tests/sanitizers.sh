#!/bin/bash
# Builds berth, crid and the unit tests with AddressSanitizer + UBSan
# (./configure --enable-sanitizers) in a build dir of its own, installs them
# into a private DESTDIR there, and runs the unit binaries plus a subset of the
# Bats suite against the sanitized programs (tests/run-all.sh). Any ASan, LSan
# or UBSan report fails the test it happens in. Ends with run-all.sh's line
#   N passed, M failed, K skipped
#
#   tests/sanitizers.sh BUILD_DIR [FILE.bats ...]
#
# Default subset: SANITIZER_BATS below. Environment: JOBS (make -j, default 2),
# CXX/CC (default g++/gcc), CONFIGURE_FLAGS (more ./configure arguments),
# SKIP_BUILD=1 (reuse BUILD_DIR as it is). Run time: see tests/README.
set -uo pipefail

SANITIZER_BATS=(lifecycle exec security config_errors images_registry crid)

if [ $# -lt 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
	sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
fi
src="$(cd "$(dirname "$0")/.." && pwd)"
mkdir -p "$1"
build="$(cd "$1" && pwd)"
shift
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
	for f in "${SANITIZER_BATS[@]}"; do files+=("$src/tests/integration/$f.bats"); done
fi
dest="$build/inst"

# detect_leaks: LSan at each sanitized process's exit. verify_asan_link_order=0:
# tools that LD_PRELOAD (none of ours, but hooks and test helpers may) do not
# abort the run. UBSan prints a stack and aborts (-fno-sanitize-recover).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:verify_asan_link_order=0:detect_stack_use_after_return=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
# LSan would report gRPC's and protobuf's process-lifetime singletons in crid.
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$src/tests/lsan.supp:print_suppressions=0}"

if [ "${SKIP_BUILD:-}" != 1 ]; then
	echo "=== building with --enable-sanitizers in $build"
	(cd "$src" && [ -x configure ] || ./autogen.sh) >/dev/null || exit 1
	(cd "$build" &&
		"$src/configure" -q --enable-sanitizers CXX="${CXX:-g++}" CC="${CC:-gcc}" ${CONFIGURE_FLAGS:-} &&
		make -j"${JOBS:-2}" &&
		make -j"${JOBS:-2}" check TESTS= &&
		rm -rf "$dest" && make install DESTDIR="$dest") >"$build/sanitizers-build.log" 2>&1 || {
		tail -n 30 "$build/sanitizers-build.log"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	}
fi

export BERTH="$dest/usr/local/bin/berth"
exec "$src/tests/run-all.sh" --build-dir "$build" --unit "$build/berth_unit_tests" "${files[@]}"
