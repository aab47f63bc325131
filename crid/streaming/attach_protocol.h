// crid's side of a container monitor's attach socket (<socket_dir>/attach,
// SOCK_SEQPACKET; see crid/monitor_protocol.h). Every message from the monitor
// is one byte naming the stream (1 stdout, 2 stderr; a terminal's output is
// stdout) followed by the output as read; every message to the monitor is
// input for the container's stdin or terminal. Terminal resizes do not travel
// here: they are "resize ROWS COLUMNS" commands on the monitor's ctl socket.
// The monitor closes the socket when the container's init exited and its
// output was drained. An attached client sees output from the moment it
// connected (earlier output is only in the log).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "crid/streaming/backend.h"

namespace berth::crid::streaming {

enum class AttachStream : uint8_t { stdout = 1, stderr = 2 };

// The monitor reads input in messages of at most this many bytes; SEQPACKET
// would silently cut a longer one.
inline constexpr size_t kAttachInputMax = 4096;
// The largest output message the monitor sends (its log record), plus the tag.
inline constexpr size_t kAttachOutputMax = 16 * 1024 + 1;

// Splits one message from the monitor into its stream and payload.
Result<AttachStream> decode_attach_message(std::string_view message, std::string_view &payload);

Result<Fd> connect_attach_socket(const std::string &path);

// Applies a terminal size to the container's terminal.
using ResizeFn = std::function<Result<void>(TermSize)>;

// Relays io over a connected attach socket until the monitor closes it or
// the client's output stream goes away. When the client's stdin ends,
// stdin_ended runs (crid asks the monitor to close the container's stdin there
// when the container is stdin_once); otherwise the container's stdin stays open.
Result<int> run_attach_client(int sock, const StreamIo &io, const ResizeFn &resize = {},
                              const std::function<void()> &stdin_ended = {});

}  // namespace berth::crid::streaming
