// The three pieces of systemd's daemon protocol crid uses, written out
// instead of linking libsystemd (and, through it, libgcrypt, liblz4, libzstd,
// ...) into a daemon whose resident size issue 9 counts: readiness
// notification (sd_notify(3): one datagram to $NOTIFY_SOCKET) and socket
// activation (sd_listen_fds(3): $LISTEN_PID, $LISTEN_FDS, fds from 3).
#pragma once

#include "libcontainer/result.h"

namespace berth::crid::sd {

// The first fd systemd passes (SD_LISTEN_FDS_START).
inline constexpr int kListenFdsStart = 3;

// Sends state ("READY=1", "STOPPING=1") to the service manager; nothing to
// do, and success, when $NOTIFY_SOCKET is unset (not started by systemd).
Result<void> notify(std::string_view state);

// How many sockets systemd passed this process (0 when none, or when they
// were meant for another pid); marks them close-on-exec and clears the
// LISTEN_* variables so that children do not take them for theirs.
Result<int> listen_fds();

// Is fd a listening unix stream socket?
Result<bool> is_listening_unix_stream(int fd);

}  // namespace berth::crid::sd
