#include "crid/sd_daemon.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <charconv>
#include <cstdlib>
#include <cstring>
#include <string_view>

#include "libcontainer/fd.h"

namespace berth::crid::sd {

namespace {

Result<int> env_int(const char *name) {
  const char *v = ::getenv(name);
  if (!v || !*v) return -1;
  int n = -1;
  std::string_view s(v);
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
  if (ec != std::errc() || end != s.data() + s.size() || n < 0) return make_error("${} \"{}\": not a number", name, s);
  return n;
}

}  // namespace

Result<void> notify(std::string_view state) {
  const char *path = ::getenv("NOTIFY_SOCKET");
  if (!path || !*path) return {};
  std::string_view p(path);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  // "/path", or "@name" for an abstract socket (a leading NUL byte).
  if ((p[0] != '/' && p[0] != '@') || p.size() >= sizeof addr.sun_path)
    return make_error("$NOTIFY_SOCKET \"{}\": not a unix socket path", p);
  std::memcpy(addr.sun_path, p.data(), p.size());
  if (p[0] == '@') addr.sun_path[0] = '\0';
  socklen_t len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + p.size() + (p[0] == '/' ? 1 : 0));
  Fd fd(::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd) return sys_error(errno, "notify socket");
  ssize_t n;
  do {
    n = ::sendto(fd.get(), state.data(), state.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr *>(&addr), len);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error(errno, "send \"{}\" to {}", state, p);
  return {};
}

Result<int> listen_fds() {
  auto pid = env_int("LISTEN_PID");
  auto count = env_int("LISTEN_FDS");
  ::unsetenv("LISTEN_PID");
  ::unsetenv("LISTEN_FDS");
  ::unsetenv("LISTEN_FDNAMES");
  if (!pid) return std::unexpected(pid.error());
  if (!count) return std::unexpected(count.error());
  if (*pid < 0 || *count <= 0 || *pid != ::getpid()) return 0;
  for (int fd = kListenFdsStart; fd < kListenFdsStart + *count; fd++)
    if (::fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) return sys_error(errno, "passed socket fd {}", fd);
  return *count;
}

Result<bool> is_listening_unix_stream(int fd) {
  struct stat st;
  if (::fstat(fd, &st) < 0) return sys_error(errno, "fstat fd {}", fd);
  if (!S_ISSOCK(st.st_mode)) return false;
  int value = 0;
  socklen_t len = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, &len) < 0) return sys_error(errno, "socket type of fd {}", fd);
  if (value != SOCK_STREAM) return false;
  len = sizeof value;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &value, &len) < 0)
    return sys_error(errno, "listening state of fd {}", fd);
  if (!value) return false;
  sockaddr_storage addr{};
  len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr *>(&addr), &len) < 0) return sys_error(errno, "address of fd {}", fd);
  return addr.ss_family == AF_UNIX;
}

}  // namespace berth::crid::sd
