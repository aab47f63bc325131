// The attach socket between crid and a container monitor (SOCK_STREAM at
// <socket_dir>/attach; see crid/monitor_protocol.h). Both directions carry
// frames: 1 byte stream id, 4 bytes big-endian payload length, payload.
//   client -> monitor: 0 stdin bytes (length 0: stdin closed),
//                      3 resize (4 bytes: width, height as big-endian u16)
//   monitor -> client: 1 stdout bytes, 2 stderr bytes (a tty's output is 1)
// The monitor closes the connection when the container's process exited and
// its output was drained. Output produced while nobody is attached is only in
// the log; an attached client sees output from the moment it connected.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "crid/streaming/backend.h"

namespace berth::crid::streaming {

enum class AttachStream : uint8_t { stdin = 0, stdout = 1, stderr = 2, resize = 3 };

std::string encode_attach_frame(AttachStream stream, std::string_view payload);
// Parses one frame from the front of buf; 0 when incomplete.
Result<size_t> decode_attach_frame(std::string_view buf, AttachStream &stream, std::string &payload);

Result<Fd> connect_attach_socket(const std::string &path);

// Relays io over a connected attach socket until the monitor closes it.
Result<int> run_attach_client(int sock, const StreamIo &io);

}  // namespace berth::crid::streaming
