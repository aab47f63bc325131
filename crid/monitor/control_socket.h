// The monitor's "ctl" socket (SOCK_SEQPACKET): one command per message, one
// reply per command ("ok" or "error: text"), as crid/monitor_protocol.h says.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "libcontainer/result.h"

namespace berth::crid::monitor {

// What a command does; an error becomes the "error: text" reply.
using CommandHandler = std::function<Result<void>(std::string_view command)>;

// Reads one message from a connected client and answers it. false when the
// client has gone (or the connection broke) and the connection should be closed.
bool serve_command(int conn, const CommandHandler &handler);

}  // namespace berth::crid::monitor
