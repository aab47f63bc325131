// Waiting for a monitor's exit file to appear, with inotify on its directory
// (no polling), up to a deadline.
#pragma once

#include <chrono>
#include <string>

#include "libcontainer/result.h"

namespace berth::crid {

// True when path exists (now or before the timeout passes), false at the timeout.
Result<bool> wait_for_file(const std::string &path, std::chrono::milliseconds timeout);

}  // namespace berth::crid
