#include "crid/monitor/unix_socket.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cerrno>

namespace berth::crid {

namespace {

// The address for path; dir keeps the directory open while a long path is
// reached through /proc/self/fd.
Result<sockaddr_un> address_of(const std::string &path, Fd &dir) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::string name = path;
  if (path.size() >= sizeof addr.sun_path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return make_error("socket path {}: too long", path);
    std::string parent = slash == 0 ? "/" : path.substr(0, slash);
    dir = Fd(::open(parent.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir) return sys_error(errno, "open {}", parent);
    name = fmt::format("/proc/self/fd/{}/{}", dir.get(), path.substr(slash + 1));
    if (name.size() >= sizeof addr.sun_path) return make_error("socket path {}: name too long", path);
  }
  name.copy(addr.sun_path, name.size());
  return addr;
}

}  // namespace

Result<Fd> listen_unix(const std::string &path, int type) {
  Fd dir;
  auto addr = TRY(address_of(path, dir));
  Fd sock(::socket(AF_UNIX, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!sock) return sys_error(errno, "create socket {}", path);
  if (::unlink(path.c_str()) < 0 && errno != ENOENT) return sys_error(errno, "remove stale socket {}", path);
  if (::bind(sock.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0)
    return sys_error(errno, "bind {}", path);
  if (::listen(sock.get(), 16) < 0) return sys_error(errno, "listen on {}", path);
  return sock;
}

Result<Fd> connect_unix(const std::string &path, int type) {
  Fd dir;
  auto addr = TRY(address_of(path, dir));
  Fd sock(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
  if (!sock) return sys_error(errno, "create socket for {}", path);
  int rc;
  do {
    rc = ::connect(sock.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return sys_error(errno, "connect to {}", path);
  return sock;
}

}  // namespace berth::crid
