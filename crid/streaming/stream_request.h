// What a streaming URL stands for: the request crid accepted over CRI
// (Exec, Attach or PortForward), remembered under a token until the client
// comes to the streaming server with it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace berth::crid::streaming {

enum class StreamKind { exec, attach, port_forward };

const char *stream_kind_path(StreamKind kind);  // "exec", "attach", "portforward"

struct StreamRequest {
  StreamKind kind = StreamKind::exec;
  std::string id;                 // container id (exec, attach) or sandbox id (port-forward)
  std::vector<std::string> cmd;   // exec
  bool tty = false;
  bool stdin = false;
  bool stdout = true;
  bool stderr = true;
  bool stdin_once = false;        // attach: the container's stdin closes when this client's does
  std::vector<int32_t> ports;     // port-forward: ports the client may ask for; empty = any
};

}  // namespace berth::crid::streaming
