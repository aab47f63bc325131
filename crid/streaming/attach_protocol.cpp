#include "crid/streaming/attach_protocol.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <mutex>
#include <thread>

#include "crid/streaming/http_message.h"
#include "crid/streaming/relay.h"

namespace berth::crid::streaming {

std::string encode_attach_frame(AttachStream stream, std::string_view payload) {
  std::string out;
  uint32_t n = uint32_t(payload.size());
  out.push_back(char(stream));
  for (int s = 24; s >= 0; s -= 8) out.push_back(char(n >> s));
  out += payload;
  return out;
}

Result<size_t> decode_attach_frame(std::string_view buf, AttachStream &stream, std::string &payload) {
  if (buf.size() < 5) return 0;
  uint32_t n = 0;
  for (int i = 1; i <= 4; ++i) n = n << 8 | uint8_t(buf[i]);
  if (n > (16u << 20)) return make_error("attach frame of {} bytes exceeds 16 MiB", n);
  if (buf.size() < 5 + size_t(n)) return 0;
  stream = AttachStream(uint8_t(buf[0]));
  payload.assign(buf.substr(5, n));
  return 5 + size_t(n);
}

Result<Fd> connect_attach_socket(const std::string &path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return make_error("attach socket path too long: {}", path);
  std::strcpy(addr.sun_path, path.c_str());
  Fd s(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return sys_error(errno, "socket");
  if (::connect(s.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0)
    return sys_error(errno, "connect to {}", path);
  return s;
}

Result<int> run_attach_client(int sock, const StreamIo &io) {
  std::mutex write_mu;
  auto send = [&](AttachStream st, std::string_view data) -> Result<void> {
    std::lock_guard lock(write_mu);
    return write_all(sock, encode_attach_frame(st, data));
  };
  Canceller stop;
  std::thread input, resize;
  if (io.stdin_fd >= 0) {
    input = std::thread([&] {
      (void)copy_to(io.stdin_fd, [&](std::string_view d) { return send(AttachStream::stdin, d); }, stop.fd());
      if (!stop.cancelled()) (void)send(AttachStream::stdin, {});
    });
  }
  if (io.tty && io.resize) {
    resize = std::thread([&] {
      while (auto s = io.resize->pop()) {
        char b[4] = {char(s->width >> 8), char(s->width), char(s->height >> 8), char(s->height)};
        if (!send(AttachStream::resize, std::string_view(b, 4))) break;
      }
    });
  }
  std::string buf;
  Result<void> outcome;
  auto r = copy_to(sock, [&](std::string_view chunk) -> Result<void> {
    buf += chunk;
    while (true) {
      AttachStream st;
      std::string payload;
      size_t used = TRY(decode_attach_frame(buf, st, payload));
      if (!used) return {};
      buf.erase(0, used);
      int out = st == AttachStream::stderr && !io.tty ? io.stderr_fd : io.stdout_fd;
      if (out >= 0) TRY(write_all(out, payload));
    }
  }, -1);
  stop.cancel();
  ::shutdown(sock, SHUT_RDWR);
  if (input.joinable()) input.join();
  if (io.resize) io.resize->close();
  if (resize.joinable()) resize.join();
  if (!r) return std::unexpected(r.error());
  return 0;
}

}  // namespace berth::crid::streaming
