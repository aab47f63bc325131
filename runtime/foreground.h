// `berth run` without --detach: berth stays the container init's parent,
// forwards the signals it gets to it, proxies the terminal when there is one,
// and returns the init's exit status (128+N when a signal killed it).
#pragma once

#include <signal.h>
#include <sys/types.h>

#include "libcontainer/result.h"

namespace berth {

// Blocks the signals that are forwarded, so none is lost between create and
// the wait loop. The container's init unblocks them for itself.
void block_forwarded_signals(sigset_t *old);

// pty_master: the container's terminal to proxy with our stdin/stdout, or -1.
Result<int> wait_foreground(pid_t init, int pty_master);

}  // namespace berth
