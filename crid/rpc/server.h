// crid's gRPC server: HTTP/2 (libnghttp2) on the connections of a
// listening unix socket, gRPC's framing, status trailers and deadlines on
// top, and the methods crid registers.
//
// Why not libgrpc++: it cost crid about 6.7 MiB of resident memory at idle
// (libgrpc, abseil, re2, upb, c-ares, libssl), more than the rest of the
// daemon; CRI on a unix socket needs unary and server-streaming calls over
// plain HTTP/2, which nghttp2 does in a few hundred KiB.
//
// One thread reads every connection (epoll) and feeds its nghttp2 session.
// Each call runs its handler in a thread of its own (calls block: a pod
// start takes seconds), which queues its response and sends it through the
// session itself; one mutex keeps the sessions to one thread at a time.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "crid/rpc/methods.h"
#include "libcontainer/result.h"

namespace berth::crid::rpc {

struct ServerOptions {
  size_t max_receive_message = 4 << 20;  // gRPC's default
  size_t max_send_message = 16 << 20;    // image lists and verbose statuses of big nodes
  size_t max_unsent = 4 << 20;           // queued bytes per stream before write() waits
};

class Server {
 public:
  explicit Server(ServerOptions options = {});
  ~Server();
  Server(const Server &) = delete;
  Server &operator=(const Server &) = delete;

  // Before start(). path is method_path(service, method).
  void add_method(std::string path, Handler handler);

  // Accepts connections on listen_fd (which the caller keeps open until
  // shutdown) and serves them in the server's thread.
  Result<void> start(int listen_fd);

  // Stops accepting and tells clients (GOAWAY); calls in flight get up to
  // grace to finish, then are cancelled; returns when every handler returned.
  void shutdown(std::chrono::milliseconds grace);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::crid::rpc
