// Loopback in a fresh network namespace starts down; pods expect 127.0.0.1.
#pragma once

#include "libcontainer/result.h"

namespace berth::netns {

// Sets "lo" up (RTM_NEWLINK, IFF_UP, through libmnl) in the network namespace
// of the calling thread.
Result<void> loopback_up();

// Is "lo" up in the calling thread's network namespace?
Result<bool> loopback_is_up();

}  // namespace berth::netns
