// One WebSocket connection after the handshake: whole messages in, frames
// out under a lock (clients mask every frame, servers never do), pings
// answered as they arrive.
#pragma once

#include <mutex>
#include <string>
#include <utility>

#include "crid/streaming/websocket_frame.h"
#include "libcontainer/fd.h"

namespace berth::crid::streaming {

class WsConnection {
 public:
  WsConnection(Fd sock, bool is_client, std::string extra = {})
      : sock_(std::move(sock)), is_client_(is_client), buf_(std::move(extra)) {}

  Result<void> send(WsOpcode opcode, std::string_view payload);
  // The next data message or close (as opcode close); EOF is an error.
  Result<std::pair<WsOpcode, std::string>> receive();
  // Sends a close frame (once) with a status code.
  Result<void> send_close(uint16_t code = 1000);
  int fd() const { return sock_.get(); }

 private:
  Fd sock_;
  bool is_client_;
  std::string buf_;
  std::mutex write_mu_;
  bool close_sent_ = false;
  WsMessageAssembler assembler_;
};

// The channel.k8s.io framing on top: first byte (or, with base64, first
// character) the channel number.
struct WsChannelCodec {
  bool base64 = false;
  std::pair<WsOpcode, std::string> encode(uint8_t channel, std::string_view data) const;
  Result<std::pair<uint8_t, std::string>> decode(WsOpcode opcode, std::string_view message) const;
};

}  // namespace berth::crid::streaming
