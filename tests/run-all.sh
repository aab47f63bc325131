#!/bin/bash
# Runs every berth test: the GoogleTest unit binary, then each Bats file in
# tests/integration. Prints each runner's own output and ends with one line,
#   N passed, M failed, K skipped
# exiting non-zero when anything failed.
#
#   tests/run-all.sh [--unit PATH | --no-unit] [--build-dir DIR]
#                    [--sanitized DIR] [FILE.bats ...]
#
# --unit PATH     the berth_unit_tests binary (default: looked up in --build-dir,
#                 the current directory and the source tree)
# --no-unit       run only the Bats files
# --build-dir DIR where `make` ran (default: the current directory)
# --sanitized DIR then, counted in the same totals, DIR's berth_unit_tests and
#                 BERTH_SANITIZER_BATS (tests/sanitizer-env.sh) with
#                 BERTH=DIR/berth: a build of tests/sanitizers.sh --berth-only
# FILE.bats ...   only these Bats files (default: tests/integration/*.bats)
#
# Environment: BERTH (runtime under test, default /usr/local/bin/berth),
# BATS_FILE_TIMEOUT (seconds per Bats file, default 600).
set -uo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
src="$(cd "$here/.." && pwd)"
unit=
run_unit=yes
build_dir="$PWD"
sanitized=
files=()

while [ $# -gt 0 ]; do
	case "$1" in
	--unit) unit="$2"; shift 2 ;;
	--unit=*) unit="${1#--unit=}"; shift ;;
	--no-unit) run_unit=no; shift ;;
	--build-dir) build_dir="$2"; shift 2 ;;
	--build-dir=*) build_dir="${1#--build-dir=}"; shift ;;
	--sanitized) sanitized="$2"; shift 2 ;;
	--sanitized=*) sanitized="${1#--sanitized=}"; shift ;;
	-h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
	-*) echo "run-all.sh: unknown option $1" >&2; exit 2 ;;
	*) files+=("$1"); shift ;;
	esac
done
[ ${#files[@]} -gt 0 ] || files=("$here"/integration/*.bats)

# Bats files that drive a unit binary (images_registry.bats) find it here.
build_dir="$(cd "$build_dir" && pwd)"
export BERTH_BUILD_DIR="${BERTH_BUILD_DIR:-$build_dir}"

passed=0
failed=0
skipped=0
log="$(mktemp -d /tmp/berth-run-all.XXXXXX)"
trap 'rm -rf "$log"' EXIT

# ---- unit tests ----------------------------------------------------------
# One GoogleTest binary: its own output, then its counts added to the totals.
run_gtest() {
	local bin="$1" name="$2"
	echo "=== unit tests: $bin"
	"$bin" >"$log/$name.out" 2>&1
	local rc=$?
	cat "$log/$name.out"
	n() { sed -n "s/^\[  $1 *\] \([0-9][0-9]*\) tests\{0,1\}[.,].*/\1/p" "$log/$name.out" | tail -n 1; }
	local p f s
	p="$(n PASSED)"
	f="$(n FAILED)"
	s="$(n SKIPPED)"
	if [ -z "$p" ] && [ -z "$f" ]; then
		echo "$name ended without a summary (exit status $rc)"
		f=1
	elif [ "$rc" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then
		echo "$name exited with status $rc"
		f=1
	fi
	passed=$((passed + ${p:-0}))
	failed=$((failed + ${f:-0}))
	skipped=$((skipped + ${s:-0}))
}

if [ "$run_unit" = yes ]; then
	if [ -z "$unit" ]; then
		for candidate in "$build_dir/berth_unit_tests" "$PWD/berth_unit_tests" "$src/berth_unit_tests"; do
			if [ -x "$candidate" ]; then unit="$candidate"; break; fi
		done
	fi
	if [ -z "$unit" ] || [ ! -x "$unit" ]; then
		echo "=== unit tests: berth_unit_tests not found: build first (make check), or pass --unit PATH or --no-unit"
		failed=$((failed + 1))
	else
		run_gtest "$unit" berth_unit_tests
		# The other parts' unit binaries sit beside it when configure built those parts.
		for other in images_unit_tests crid_unit_tests; do
			[ -x "$(dirname "$unit")/$other" ] && run_gtest "$(dirname "$unit")/$other" "$other"
		done
	fi
fi

# ---- integration tests ---------------------------------------------------
if ! command -v bats >/dev/null; then
	echo "=== integration tests: bats not installed (Debian: apt-get install bats)"
	failed=$((failed + 1))
else
	# One prepared bundle for the whole run; the helpers copy it per test.
	export BERTH_TEST_BUNDLE_CACHE="$log/bundle-cache"
	# run_file FILE [VAR=VALUE...]: one Bats file (with those variables set),
	# its output, and its counts added to the totals.
	run_file() {
		local f="$1"
		shift
		echo "=== $(basename "$f")${*:+ ($*)}"
		# The qemu guest files ran in `make check` (tests/v2vm-check.sh) with
		# the berth of this build tree: their results are counted, not redone.
		local kept="$BERTH_BUILD_DIR/tests/v2vm-results/$(basename "$f" .bats).tap"
		local rc p s nf plan
		if [ $# -eq 0 ] && [ -s "$kept" ] && [ "$kept" -nt "$BERTH_BUILD_DIR/berth" ]; then
			echo "# results of make check's run ($kept)"
			cp "$kept" "$log/bats.out"
			rc=0
			grep -qE '^not ok [0-9]+' "$kept" && rc=1
		else
			# To a file, not a pipe: a leaked container process holding the
			# pipe open must not hang the run.
			env "$@" timeout --kill-after=10 "${BATS_FILE_TIMEOUT:-600}" bats --tap "$f" \
				</dev/null >"$log/bats.out" 2>&1
			rc=$?
		fi
		cat "$log/bats.out"
		p="$(grep -cE '^ok [0-9]+' "$log/bats.out" | head -n 1)"
		s="$(grep -cE '^ok [0-9]+ .*# skip' "$log/bats.out" | head -n 1)"
		nf="$(grep -cE '^not ok [0-9]+' "$log/bats.out" | head -n 1)"
		plan="$(sed -n 's/^1\.\.\([0-9][0-9]*\)$/\1/p' "$log/bats.out" | head -n 1)"
		p=$((p - s))
		if [ -n "$plan" ] && [ $((p + s + nf)) -lt "$plan" ]; then
			echo "# $(basename "$f"): $((plan - p - s - nf)) of $plan tests did not report (exit status $rc)"
			nf=$((nf + plan - p - s - nf))
		elif [ "$rc" -ne 0 ] && [ "$nf" -eq 0 ]; then
			echo "# $(basename "$f"): bats exited with status $rc"
			nf=1
		fi
		passed=$((passed + p))
		skipped=$((skipped + s))
		failed=$((failed + nf))
	}
	for f in "${files[@]}"; do
		run_file "$f"
		# crid's files marked so run a second time with Debian's runc as
		# crid's OCI runtime, to cross-check the runc CLI contract.
		if grep -q '^# run-all: again with runc' "$f"; then
			if [ -x /usr/sbin/runc ]; then
				run_file "$f" CRID_TEST_RUNTIME=/usr/sbin/runc
			else
				echo "=== $(basename "$f") with runc: skipped, /usr/sbin/runc is not installed (Debian: apt-get install runc)"
			fi
		fi
	done
fi

# ---- the ASan + UBSan build ----------------------------------------------
# Its findings fail the test they happen in (no recovery); its counts join
# the totals, so a run ends with one line either way.
if [ -n "$sanitized" ]; then
	. "$here/sanitizer-env.sh"
	echo "=== the ASan + UBSan build in $sanitized: berth's unit tests and ${BERTH_SANITIZER_BATS[*]}"
	if [ ! -x "$sanitized/berth" ] || [ ! -x "$sanitized/berth_unit_tests" ]; then
		echo "=== sanitized build: $sanitized/berth or berth_unit_tests is missing (tests/sanitizers.sh --berth-only --build-only $sanitized; see its sanitizers-build.log)"
		failed=$((failed + 1))
	else
		run_gtest "$sanitized/berth_unit_tests" berth_unit_tests-asan
		if command -v bats >/dev/null; then
			for name in "${BERTH_SANITIZER_BATS[@]}"; do
				run_file "$here/integration/$name.bats" BERTH="$sanitized/berth"
			done
		fi
	fi
fi

echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
