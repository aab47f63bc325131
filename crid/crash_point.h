// Restart-recovery test hook.
#pragma once

namespace berth::crid {

// Test hook (all builds; documented in tests/README): CRID_TEST_CRASH_AT=POINT
// makes crid kill itself with SIGKILL at that point, to test restart recovery.
// Points: "create-container" (a container made, its record still "creating"),
// "run-sandbox" (the same for a pod sandbox), "start-container" (started by
// the runtime, recorded as created), "stop-container" (the stop signal sent,
// nothing recorded), "remove-container" (runtime state deleted; rootfs, dirs
// and record still there), "monitor-creating" (a
// monitor started, its runtime create still running).
void crash_point(const char *point);

}  // namespace berth::crid
