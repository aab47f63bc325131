#!/bin/bash
# Builds berth, crid and the unit tests with AddressSanitizer + UBSan
# (./configure --enable-sanitizers) in a build dir of its own, installs them
# into a private DESTDIR there, and runs the unit binaries plus a subset of the
# Bats suite against the sanitized programs (tests/run-all.sh). Any ASan, LSan
# or UBSan report fails the test it happens in. Ends with run-all.sh's line
#   N passed, M failed, K skipped
#
#   tests/sanitizers.sh [--berth-only] [--build-only] BUILD_DIR [FILE.bats ...]
#
# --berth-only  build only berth and berth_unit_tests (no install: the
#               programs stay in BUILD_DIR); the default subset is then
#               BERTH_SANITIZER_BATS (berth's own files, tests/sanitizer-env.sh)
# --build-only  stop after the build; `tests/run-all.sh --sanitized BUILD_DIR`
#               runs a --berth-only build's tests as part of a whole run
#
# Default subset: SANITIZER_BATS below. Environment: JOBS (make -j, default 2),
# CXX/CC (default g++/gcc), CONFIGURE_FLAGS (more ./configure arguments),
# SKIP_BUILD=1 (reuse BUILD_DIR as it is). Run time: see tests/README.
set -uo pipefail

SANITIZER_BATS=(lifecycle exec security config_errors images_registry crid)

berth_only=no
build_only=no
while [ $# -gt 0 ]; do
	case "$1" in
	--berth-only) berth_only=yes; shift ;;
	--build-only) build_only=yes; shift ;;
	*) break ;;
	esac
done
if [ $# -lt 1 ] || [ "$1" = -h ] || [ "$1" = --help ]; then
	sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
fi
src="$(cd "$(dirname "$0")/.." && pwd)"
. "$src/tests/sanitizer-env.sh"
mkdir -p "$1"
build="$(cd "$1" && pwd)"
shift
files=("$@")
if [ ${#files[@]} -eq 0 ]; then
	if [ "$berth_only" = yes ]; then
		for f in "${BERTH_SANITIZER_BATS[@]}"; do files+=("$src/tests/integration/$f.bats"); done
	else
		for f in "${SANITIZER_BATS[@]}"; do files+=("$src/tests/integration/$f.bats"); done
	fi
fi
dest="$build/inst"

if [ "${SKIP_BUILD:-}" != 1 ]; then
	echo "=== building with --enable-sanitizers in $build"
	# A source tree configured in place (contrib/quickstart.sh does that)
	# refuses out-of-tree builds: build from a copy of its tracked files.
	conf_src="$src"
	if [ -f "$src/config.status" ]; then
		conf_src="$build/src"
		echo "=== $src is configured in place: building from a copy in $conf_src"
		rm -rf "$conf_src" && mkdir -p "$conf_src" &&
			(cd "$src" && git ls-files -z | xargs -0 cp --parents -t "$conf_src") ||
			{ echo "cannot copy the tracked files of $src (git ls-files)"; exit 1; }
	fi
	(cd "$conf_src" && [ -x configure ] || ./autogen.sh) >/dev/null || exit 1
	(cd "$build" &&
		"$conf_src/configure" -q --enable-sanitizers CXX="${CXX:-g++}" CC="${CC:-gcc}" ${CONFIGURE_FLAGS:-} &&
		if [ "$berth_only" = yes ]; then
			make -j"${JOBS:-2}" berth berth_unit_tests
		else
			make -j"${JOBS:-2}" &&
			make -j"${JOBS:-2}" check TESTS= &&
			rm -rf "$dest" && make install DESTDIR="$dest"
		fi) >"$build/sanitizers-build.log" 2>&1 || {
		tail -n 30 "$build/sanitizers-build.log"
		echo "0 passed, 1 failed, 0 skipped"
		exit 1
	}
fi

if [ "$build_only" = yes ]; then
	echo "=== sanitized build in $build (log: $build/sanitizers-build.log)"
	exit 0
fi
if [ "$berth_only" = yes ]; then
	export BERTH="$build/berth"
	exec "$src/tests/run-all.sh" --build-dir "$build" --unit "$build/berth_unit_tests" "${files[@]}"
fi
export BERTH="$dest/usr/local/bin/berth"
exec "$src/tests/run-all.sh" --build-dir "$build" --unit "$build/berth_unit_tests" "${files[@]}"
