// Where crid listens: its unix socket, either handed over by systemd (socket
// activation, LISTEN_FDS) or bound here with mode 0660, owned by root; and the
// thread that accepts connections on it and gives them to the gRPC server.
#pragma once

#include <atomic>
#include <string>
#include <thread>
#include <utility>
#include <memory>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace grpc {
class Server;
}

namespace berth::crid {

class Listener {
 public:
  // Takes the socket systemd passed, if any; otherwise binds socket_path.
  // A socket another process still serves is an error, never taken over; a
  // stale one (nobody accepting) is replaced. The lock file socket_path.lock
  // keeps two crids from racing for the same path.
  static Result<Listener> open(const std::string &socket_path);

  Listener(Listener &&other) noexcept { *this = std::move(other); }
  Listener &operator=(Listener &&other) noexcept {
    fd_ = std::move(other.fd_);
    lock_ = std::move(other.lock_);
    path_ = std::move(other.path_);
    activated_ = std::exchange(other.activated_, false);
    owns_path_ = std::exchange(other.owns_path_, false);
    return *this;
  }
  // Removes the socket file crid bound (not one systemd owns).
  ~Listener();

  int fd() const { return fd_.get(); }
  bool activated() const { return activated_; }
  const std::string &path() const { return path_; }

 private:
  Listener() = default;
  Fd fd_;
  Fd lock_;
  std::string path_;
  bool activated_ = false;
  bool owns_path_ = false;
};

// Accepts connections on a listener in its own thread and hands each to the
// server (grpc::AddInsecureChannelFromFd). stop() ends the thread.
class Acceptor {
 public:
  static Result<std::unique_ptr<Acceptor>> start(int listen_fd, grpc::Server *server);
  ~Acceptor();
  void stop();

 private:
  Acceptor(int listen_fd, grpc::Server *server, Fd wake) : listen_fd_(listen_fd), server_(server), wake_(std::move(wake)) {}
  void run();

  int listen_fd_;
  grpc::Server *server_;
  Fd wake_;  // eventfd: written to by stop()
  std::thread thread_;
};

}  // namespace berth::crid
