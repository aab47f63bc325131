#include "crid/listener.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <config.h>  // the build's (autoconf); crid/config.h is crid's settings
#include "crid/log.h"

#include "crid/sd_daemon.h"

namespace berth::crid {

namespace {

Result<sockaddr_un> unix_address(const std::string &path) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path)
    return make_error("socket path {} is longer than {} bytes", path, sizeof addr.sun_path - 1);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  return addr;
}

Result<void> make_parent_dirs(const std::string &path) {
  for (size_t pos = path.find('/', 1); pos != std::string::npos; pos = path.find('/', pos + 1)) {
    std::string dir = path.substr(0, pos);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) return sys_error(errno, "create directory {}", dir);
  }
  return {};
}

// Is someone accepting connections on the socket at path?
bool socket_in_use(const sockaddr_un &addr) {
  Fd probe(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!probe) return false;
  return ::connect(probe.get(), reinterpret_cast<const sockaddr *>(&addr), sizeof addr) == 0;
}

// The socket systemd passed (crid.socket), if it passed one.
Result<Fd> activated_socket() {
  int n = TRY_CTX(sd::listen_fds(), "read the sockets systemd passed (LISTEN_FDS)");
  if (n == 0) return Fd();
  if (n > 1) return make_error("systemd passed {} sockets (LISTEN_FDS); crid serves exactly one", n);
  int fd = sd::kListenFdsStart;
  bool ok = TRY_CTX(sd::is_listening_unix_stream(fd), "check the socket systemd passed");
  if (!ok) return make_error("the socket systemd passed is not a listening unix stream socket");
  return Fd(fd);
}

}  // namespace

Result<Listener> Listener::open(const std::string &socket_path) {
  Listener l;
  l.path_ = socket_path;
  l.fd_ = TRY(activated_socket());
  if (l.fd_) {
    l.activated_ = true;
    return l;
  }
  sockaddr_un addr = TRY(unix_address(socket_path));
  TRY_CTX(make_parent_dirs(socket_path), fmt::format("listen on {}", socket_path));

  std::string lock_path = socket_path + ".lock";
  l.lock_ = Fd(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!l.lock_) return sys_error(errno, "listen on {}: create lock file {}", socket_path, lock_path);
  if (::flock(l.lock_.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK)
      return make_error("listen on {}: socket in use: another crid holds {}", socket_path, lock_path);
    return sys_error(errno, "listen on {}: lock {}", socket_path, lock_path);
  }

  struct stat st;
  if (::lstat(socket_path.c_str(), &st) == 0) {
    if (!S_ISSOCK(st.st_mode))
      return make_error("listen on {}: the path exists and is not a socket; not removing it", socket_path);
    if (socket_in_use(addr))
      return make_error("listen on {}: socket in use: another process is accepting connections on it", socket_path);
    log::info("removing stale socket {}", socket_path);
    if (::unlink(socket_path.c_str()) != 0) return sys_error(errno, "remove stale socket {}", socket_path);
  }

  l.fd_ = Fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!l.fd_) return sys_error(errno, "listen on {}: socket", socket_path);
  // The socket file is created by bind with the umask's mode: keep it closed
  // to others from the first moment, before the chmod below.
  mode_t old_umask = ::umask(0177);
  int rc = ::bind(l.fd_.get(), reinterpret_cast<const sockaddr *>(&addr), sizeof addr);
  int bind_errno = errno;
  ::umask(old_umask);
  if (rc != 0) return sys_error(bind_errno, "listen on {}: bind", socket_path);
  l.owns_path_ = true;
  if (::chown(socket_path.c_str(), 0, 0) != 0) return sys_error(errno, "listen on {}: chown to root", socket_path);
  if (::chmod(socket_path.c_str(), 0660) != 0) return sys_error(errno, "listen on {}: chmod 0660", socket_path);
  if (::listen(l.fd_.get(), SOMAXCONN) != 0) return sys_error(errno, "listen on {}", socket_path);
  return l;
}

Listener::~Listener() {
  if (owns_path_) ::unlink(path_.c_str());
  if (lock_) ::unlink((path_ + ".lock").c_str());
}

}  // namespace berth::crid
