// libFuzzer target: the WebSocket (RFC 6455) frame reader and message
// reassembly of the streaming server, fed as a connection would feed them.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crid/streaming/websocket_frame.h"

using namespace berth::crid::streaming;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view input(reinterpret_cast<const char *>(data), size);
  WsMessageAssembler assembler;
  std::string_view buf = input;
  while (!buf.empty()) {
    WsFrame frame;
    // A small limit, so that length fields near it are reached.
    auto used = decode_ws_frame(buf, frame, 1 << 16);
    if (!used || *used == 0) break;
    if (*used > buf.size()) __builtin_trap();
    WsOpcode opcode;
    std::string message;
    if (!assembler.feed(std::move(frame), opcode, message)) break;
    buf.remove_prefix(*used);
  }
  // The base64 of the handshake; what decodes must encode back to itself.
  if (auto bytes = base64_decode(input)) {
    auto again = base64_decode(base64_encode(*bytes));
    if (!again || *again != *bytes) __builtin_trap();
  }
  return 0;
}
