#include "crid/streaming/attach_protocol.h"

#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <thread>
#include <vector>

#include "crid/monitor/unix_socket.h"
#include "crid/streaming/http_message.h"
#include "crid/streaming/relay.h"

namespace berth::crid::streaming {

Result<AttachStream> decode_attach_message(std::string_view message, std::string_view &payload) {
  if (message.empty()) return make_error("attach: empty message from the monitor");
  uint8_t tag = uint8_t(message[0]);
  if (tag != 1 && tag != 2) return make_error("attach: unknown stream {} from the monitor", tag);
  payload = message.substr(1);
  return AttachStream(tag);
}

Result<Fd> connect_attach_socket(const std::string &path) {
  // Through crid's helper: state dirs can be deeper than sun_path's 108 bytes.
  return connect_unix(path, SOCK_SEQPACKET);
}

namespace {

Result<void> send_input(int sock, std::string_view data) {
  while (!data.empty()) {
    size_t n = std::min(data.size(), kAttachInputMax);
    ssize_t w = ::send(sock, data.data(), n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) return sys_error(errno, "send input to the monitor");
    data.remove_prefix(size_t(w));
  }
  return {};
}

}  // namespace

Result<int> run_attach_client(int sock, const StreamIo &io, const ResizeFn &resize,
                              const std::function<void()> &stdin_ended) {
  Canceller stop;
  std::thread input, resizer;
  if (io.stdin_fd >= 0) {
    input = std::thread([&] {
      auto copied = copy_to(io.stdin_fd, [&](std::string_view d) { return send_input(sock, d); }, stop.fd());
      // Input that ended, not a stream torn down from this side.
      if (copied && !stop.cancelled() && stdin_ended) stdin_ended();
    });
  }
  if (io.tty && io.resize && resize) {
    resizer = std::thread([&] {
      // A failed resize (the container just exited) is not worth ending the stream for.
      while (auto s = io.resize->pop()) (void)resize(*s);
    });
  }
  std::vector<char> buf(kAttachOutputMax + 1);
  Result<void> outcome;
  for (;;) {
    auto ready = wait_readable(sock, -1);
    if (!ready) {
      outcome = std::unexpected(ready.error());
      break;
    }
    ssize_t n = ::recv(sock, buf.data(), buf.size(), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      // ECONNRESET: the monitor went away with the container; that ends the stream.
      if (errno != ECONNRESET) outcome = sys_error(errno, "receive from the monitor");
      break;
    }
    if (n == 0) break;
    std::string_view payload;
    auto stream = decode_attach_message(std::string_view(buf.data(), size_t(n)), payload);
    if (!stream) {
      outcome = std::unexpected(stream.error());
      break;
    }
    int out = *stream == AttachStream::stderr && !io.tty ? io.stderr_fd : io.stdout_fd;
    if (out < 0) continue;
    if (auto w = write_all(out, payload); !w) break;  // the client left
  }
  stop.cancel();
  ::shutdown(sock, SHUT_RDWR);
  if (input.joinable()) input.join();
  if (io.resize) io.resize->close();
  if (resizer.joinable()) resizer.join();
  if (!outcome) return std::unexpected(outcome.error());
  return 0;
}

}  // namespace berth::crid::streaming
