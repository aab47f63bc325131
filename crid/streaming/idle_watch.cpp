#include "crid/streaming/idle_watch.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>

namespace berth::crid::streaming {

std::optional<std::chrono::milliseconds> tcp_idle_time(int fd) {
  tcp_info info{};
  socklen_t len = sizeof info;
  if (::getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len) < 0) return std::nullopt;
  // Both clocks start when the connection is established, so a connection
  // that never carried data counts as idle from then.
  return std::chrono::milliseconds(std::min(info.tcpi_last_data_recv, info.tcpi_last_data_sent));
}

std::chrono::milliseconds idle_check_interval(std::chrono::milliseconds timeout) {
  return std::clamp(timeout / 4, std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
}

}  // namespace berth::crid::streaming
