// The server side of the Kubernetes remote-command protocol (exec, attach)
// over an upgraded connection, SPDY/3.1 or WebSocket, and of port-forward
// over SPDY. Each call serves one connection to its end.
#pragma once

#include <string>

#include "crid/streaming/backend.h"
#include "crid/streaming/stream_request.h"

namespace berth::crid::streaming {

// version: the negotiated channel.k8s.io protocol, 1 (channel.k8s.io) to 5.
Result<void> serve_remote_command_spdy(Fd sock, std::string extra, int version, const StreamRequest &request,
                                       StreamBackend &backend);
Result<void> serve_remote_command_ws(Fd sock, std::string extra, int version, bool base64,
                                     const StreamRequest &request, StreamBackend &backend);
Result<void> serve_port_forward_spdy(Fd sock, std::string extra, const StreamRequest &request,
                                     StreamBackend &backend);

// What goes on the error stream when the command ended: v4+ a Status JSON
// (also on success), older versions the failure's text only.
std::string error_stream_payload(int version, const Result<int> &outcome);

// Splits concatenated JSON objects (the resize stream) as they arrive.
class JsonObjectSplitter {
 public:
  void feed(std::string_view data);
  std::optional<std::string> next();

 private:
  std::string buf_;
};

}  // namespace berth::crid::streaming
