// Unix sockets by path, for paths longer than sun_path's 108 bytes too (crid's
// state directories can be deep): such a path is reached through
// /proc/self/fd/N/NAME, N an O_PATH descriptor of its directory.
#pragma once

#include <string>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::crid {

// Binds and listens (a stale socket file at the path is replaced). type is
// SOCK_STREAM or SOCK_SEQPACKET; the socket is close-on-exec and non-blocking.
Result<Fd> listen_unix(const std::string &path, int type);

// Connects (blocking, close-on-exec).
Result<Fd> connect_unix(const std::string &path, int type);

}  // namespace berth::crid
