#include "crid/crash_point.h"

#include <signal.h>

#include <cstdlib>
#include <cstring>

#include "crid/log.h"

namespace berth::crid {

void crash_point(const char *point) {
  const char *at = std::getenv("CRID_TEST_CRASH_AT");
  if (at && std::strcmp(at, point) == 0) {
    log::warning("CRID_TEST_CRASH_AT={}: killing crid", point);
    ::raise(SIGKILL);
  }
}

}  // namespace berth::crid
