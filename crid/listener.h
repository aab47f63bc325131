// Where crid listens: its unix socket, either handed over by systemd (socket
// activation, LISTEN_FDS) or bound here with mode 0660, owned by root. The
// gRPC server (crid/rpc/server.h) accepts on it.
#pragma once

#include <string>
#include <utility>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

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

}  // namespace berth::crid
