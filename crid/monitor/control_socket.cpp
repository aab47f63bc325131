#include "crid/monitor/control_socket.h"

#include <sys/socket.h>

#include <cerrno>

namespace berth::crid::monitor {

bool serve_command(int conn, const CommandHandler &handler) {
  char buf[512];
  ssize_t n;
  do {
    n = ::recv(conn, buf, sizeof buf, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return errno == EAGAIN;
  if (n == 0) return false;
  std::string_view command(buf, n);
  while (!command.empty() && (command.back() == '\n' || command.back() == '\0')) command.remove_suffix(1);
  auto result = handler(command);
  std::string reply = result ? std::string("ok") : "error: " + result.error().message;
  // MSG_NOSIGNAL: a client that hung up must not kill the monitor with SIGPIPE.
  return ::send(conn, reply.data(), reply.size(), MSG_NOSIGNAL | MSG_DONTWAIT) >= 0;
}

}  // namespace berth::crid::monitor
