// The two sides of the pause the init makes before pivot_root so the
// runtime can run prestart and createRuntime hooks while the container's
// namespaces exist but its root is not yet switched (runtime.md steps 5-7):
//
//   init                                  parent
//   mounts done ── HooksPause ──────────▶ prestart, createRuntime (state on stdin)
//                ◀── HooksDone + state ── (or Error: the hook failed, init is killed)
//   createContainer hooks (in the container's namespaces), then pivot_root
//
// The state text travels as its own packet after HooksDone: it can be
// longer than a sync message's text.
#pragma once

#include <string>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// Init side: asks, waits, then runs createContainer. Returns the state JSON,
// which the init keeps for its startContainer hooks.
Result<std::string> init_hook_pause(int sync_fd, const Hooks &hooks);

// Parent side, on HooksPause: runs prestart then createRuntime; on success
// releases the init with the state.
Result<void> parent_run_runtime_hooks(int sync_fd, const Hooks &hooks, const std::string &state_json);

// One packet of any size (up to the socket's buffer) over a SEQPACKET socket.
Result<void> send_packet(int fd, std::string_view data);
Result<std::string> recv_packet(int fd);

}  // namespace berth
