// What the streaming server asks of crid once a client has come with a valid
// token: run a command in a container, attach to its stdio, or open a
// connection to a port in a pod's network namespace. The server owns the
// protocol; the backend owns the container side.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "crid/streaming/resize_queue.h"
#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::crid::streaming {

// The client's streams as file descriptors, borrowed for the call: -1 when the
// client did not ask for that stream. stdin reads EOF when the client closes
// its stdin; output written to stdout/stderr goes to the client.
struct StreamIo {
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;   // unused with a tty (the terminal merges both)
  bool tty = false;
  // attach: the end of stdin_fd's input ends the container's stdin too
  // (ContainerConfig.stdin_once); otherwise it ends this client's input only.
  bool stdin_once = false;
  ResizeQueue *resize = nullptr;  // with a tty: sizes to apply; closed when the client leaves
};

class StreamBackend {
 public:
  virtual ~StreamBackend() = default;
  // Runs cmd in the container; returns its exit code once it ended.
  virtual Result<int> exec(const std::string &container_id, const std::vector<std::string> &cmd,
                           const StreamIo &io) = 0;
  // Connects the streams to the container's stdio until the container exits
  // or the client leaves; returns the container's exit code when known, else 0.
  virtual Result<int> attach(const std::string &container_id, const StreamIo &io) = 0;
  // A connected TCP socket to 127.0.0.1:port inside the sandbox's network namespace.
  virtual Result<Fd> port_forward(const std::string &sandbox_id, uint16_t port) = 0;
};

}  // namespace berth::crid::streaming
