#include "crid/streaming/websocket_conn.h"

#include <sys/random.h>
#include <unistd.h>

#include "crid/streaming/http_message.h"

namespace berth::crid::streaming {

Result<void> WsConnection::send(WsOpcode opcode, std::string_view payload) {
  std::lock_guard lock(write_mu_);
  if (close_sent_) return make_error("websocket: connection closing");
  std::optional<uint32_t> mask;
  if (is_client_) {
    uint32_t m = 0;
    // RFC 6455 asks clients for an unpredictable key on every frame.
    if (::getrandom(&m, sizeof m, 0) != sizeof m) return sys_error(errno, "websocket: a frame's mask key");
    mask = m;
  }
  TRY_CTX(write_all(sock_.get(), encode_ws_frame(opcode, payload, true, mask)), "websocket");
  return {};
}

Result<void> WsConnection::send_close(uint16_t code) {
  char b[2] = {char(code >> 8), char(code)};
  auto r = send(WsOpcode::close, std::string_view(b, 2));
  std::lock_guard lock(write_mu_);
  close_sent_ = true;
  return r;
}

Result<std::pair<WsOpcode, std::string>> WsConnection::receive() {
  char chunk[64 * 1024];
  while (true) {
    WsFrame frame;
    size_t used = TRY(decode_ws_frame(buf_, frame));
    if (used) {
      buf_.erase(0, used);
      if (!is_client_ && !frame.masked) return make_error("websocket: client frame not masked");
      WsOpcode op;
      std::string msg;
      if (!TRY(assembler_.feed(std::move(frame), op, msg))) continue;
      if (op == WsOpcode::ping) {
        std::lock_guard lock(write_mu_);
        if (!close_sent_) {
          std::optional<uint32_t> mask;
          if (is_client_) mask = 0x5a5a5a5au;
          (void)write_all(sock_.get(), encode_ws_frame(WsOpcode::pong, msg, true, mask));
        }
        continue;
      }
      if (op == WsOpcode::pong) continue;
      return std::pair{op, std::move(msg)};
    }
    ssize_t n = ::read(sock_.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return sys_error(errno, "websocket: read");
    if (n == 0) return make_error("websocket: connection closed");
    buf_.append(chunk, size_t(n));
  }
}

std::pair<WsOpcode, std::string> WsChannelCodec::encode(uint8_t channel, std::string_view data) const {
  if (!base64) {
    std::string m(1, char(channel));
    m += data;
    return {WsOpcode::binary, std::move(m)};
  }
  std::string m(1, char('0' + channel));
  m += base64_encode(data);
  return {WsOpcode::text, std::move(m)};
}

Result<std::pair<uint8_t, std::string>> WsChannelCodec::decode(WsOpcode opcode, std::string_view message) const {
  if (message.empty()) return make_error("websocket: message without a channel byte");
  if (opcode == WsOpcode::text) {
    uint8_t ch = uint8_t(message[0] - '0');
    return std::pair{ch, TRY(base64_decode(message.substr(1)))};
  }
  return std::pair{uint8_t(message[0]), std::string(message.substr(1))};
}

}  // namespace berth::crid::streaming
