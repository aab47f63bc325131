#include "crid/streaming/relay.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>

#include "crid/streaming/http_message.h"

namespace berth::crid::streaming {

Canceller::Canceller() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {}

void Canceller::cancel() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(fd_.get(), &one, sizeof one);
}

bool Canceller::cancelled() const {
  pollfd p{fd_.get(), POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

Result<bool> wait_readable(int fd, int cancel_fd, int timeout_ms) {
  while (true) {
    pollfd p[2] = {{fd, POLLIN, 0}, {cancel_fd, POLLIN, 0}};
    int r = ::poll(p, cancel_fd >= 0 ? 2 : 1, timeout_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return sys_error(errno, "poll");
    if (cancel_fd >= 0 && (p[1].revents & POLLIN)) return false;
    if (r == 0) return false;
    return true;
  }
}

Result<void> copy_to(int in, const std::function<Result<void>(std::string_view)> &sink, int cancel_fd) {
  char buf[32 * 1024];
  while (true) {
    if (!TRY(wait_readable(in, cancel_fd))) return {};
    ssize_t n = ::read(in, buf, sizeof buf);
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    if (n < 0 && errno == EIO) return {};  // pty: the terminal's other side is gone
    if (n < 0) return sys_error(errno, "read");
    if (n == 0) return {};
    TRY(sink(std::string_view(buf, size_t(n))));
  }
}

Result<void> copy_fd(int in, int out, int cancel_fd) {
  return copy_to(in, [out](std::string_view chunk) { return write_all(out, chunk); }, cancel_fd);
}

Result<std::pair<Fd, Fd>> make_pipe() {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) < 0) return sys_error(errno, "pipe");
  return std::pair<Fd, Fd>{Fd(p[0]), Fd(p[1])};
}

}  // namespace berth::crid::streaming
