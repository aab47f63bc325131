// The clock events carry (created_at): both sides of events_bench read it,
// in two processes, so it is the realtime clock, not the monotonic one.
#pragma once

#include <cstdint>
#include <ctime>

inline int64_t wall_clock_ns() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}
