// WebSocket framing (RFC 6455) for the channel.k8s.io protocols: frames with
// optional masking (clients must mask, servers must not), fragmented messages
// reassembled by the reader, and the opening handshake's accept key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "libcontainer/result.h"

namespace berth::crid::streaming {

enum class WsOpcode : uint8_t {
  continuation = 0x0,
  text = 0x1,
  binary = 0x2,
  close = 0x8,
  ping = 0x9,
  pong = 0xa,
};

struct WsFrame {
  bool fin = true;
  WsOpcode opcode = WsOpcode::binary;
  bool masked = false;
  uint32_t mask = 0;
  std::string payload;  // unmasked
};

// Frames payload; when mask is set, the payload is XORed with it (client side).
std::string encode_ws_frame(WsOpcode opcode, std::string_view payload, bool fin = true,
                            std::optional<uint32_t> mask = std::nullopt);

// Parses one frame from the front of buf (unmasking it). Returns bytes used,
// or 0 when buf holds no whole frame yet.
Result<size_t> decode_ws_frame(std::string_view buf, WsFrame &out, size_t max_payload = 64 << 20);

// Reassembles fragmented data messages; control frames pass straight through
// (they may arrive between the fragments of a message).
class WsMessageAssembler {
 public:
  // Feeds one frame. Returns true with opcode/message set when a whole message
  // (or a control frame) is ready.
  Result<bool> feed(WsFrame frame, WsOpcode &opcode, std::string &message);

 private:
  bool in_message_ = false;
  WsOpcode opcode_ = WsOpcode::binary;
  std::string buffer_;
};

// Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)).
std::string ws_accept_key(std::string_view key);

std::string base64_encode(std::string_view data);
Result<std::string> base64_decode(std::string_view text);

}  // namespace berth::crid::streaming
