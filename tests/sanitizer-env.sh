# Sourced by tests/sanitizers.sh and tests/run-all.sh --sanitized: how the
# ASan/UBSan builds report. detect_leaks: LSan at each sanitized process's
# exit. verify_asan_link_order=0: tools that LD_PRELOAD (none of ours, but
# hooks and test helpers may) do not abort the run. UBSan prints a stack and
# aborts (the build uses -fno-sanitize-recover). Values already set win.
# LSan would report gRPC's and protobuf's process-lifetime singletons in crid:
# tests/lsan.supp names them.
sanitizer_src="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:verify_asan_link_order=0:detect_stack_use_after_return=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$sanitizer_src/tests/lsan.supp:print_suppressions=0}"
unset sanitizer_src
# The Bats files a berth-only sanitized build runs (tests/sanitizers.sh
# --berth-only, tests/run-all.sh --sanitized): berth's own.
BERTH_SANITIZER_BATS=(lifecycle exec security config_errors)
