// Moving bytes between descriptors for the streaming server, its backends and
// its clients, each copy stoppable from another thread through a Canceller
// (an eventfd), since a blocked read() cannot otherwise be interrupted.
#pragma once

#include <functional>
#include <string_view>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::crid::streaming {

class Canceller {
 public:
  Canceller();
  void cancel();
  int fd() const { return fd_.get(); }
  bool cancelled() const;

 private:
  Fd fd_;
};

// Waits until fd is readable (true) or cancel_fd fires (false).
Result<bool> wait_readable(int fd, int cancel_fd, int timeout_ms = -1);

// Copies from `in` to `sink` until EOF (or EIO, a pty whose other side closed)
// or cancellation. The sink sees each chunk as it is read.
Result<void> copy_to(int in, const std::function<Result<void>(std::string_view)> &sink, int cancel_fd);

// copy_to with a descriptor as the sink.
Result<void> copy_fd(int in, int out, int cancel_fd);

// A pipe with both ends close-on-exec: [0] read, [1] write.
Result<std::pair<Fd, Fd>> make_pipe();

}  // namespace berth::crid::streaming
