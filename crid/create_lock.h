// The create lock: an flock on <bundle>/create.lock that crid takes before it
// starts a monitor and hands to it; the monitor lets go once the runtime's
// create is over. crid can be killed while a monitor is still creating; the
// restarted crid must not delete the container before that create ends, or
// the create finishes afterwards and leaves a container nobody knows of.
#pragma once

#include <chrono>
#include <string>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::crid {

// Creates and locks <bundle>/create.lock; the fd is for the monitor to inherit.
Result<Fd> take_create_lock(const std::string &bundle);

// Waits until no create holds <bundle>/create.lock (true), or the timeout
// passes (false). No lock file: nothing was ever started there (true).
bool wait_for_create_end(const std::string &bundle, std::chrono::milliseconds timeout);

}  // namespace berth::crid
