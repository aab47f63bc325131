#include "libcontainer/sync.h"

#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

#include <cstring>
#include <unistd.h>
#include <vector>

namespace berth {

namespace {
struct Header {
  uint32_t type;
  int32_t err;
};
constexpr size_t kMaxText = 4096;
}  // namespace

Result<void> sync_send(int fd, SyncType type, int err, std::string_view text) {
  Header h{static_cast<uint32_t>(type), err};
  if (text.size() > kMaxText) text = text.substr(0, kMaxText);
  struct iovec iov[2] = {{&h, sizeof h}, {const_cast<char *>(text.data()), text.size()}};
  struct msghdr msg = {};
  msg.msg_iov = iov;
  msg.msg_iovlen = text.empty() ? 1 : 2;
  while (::sendmsg(fd, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR) return sys_error(errno, "sync: send");
  return {};
}

Result<SyncMessage> sync_recv(int fd) {
  char buf[sizeof(Header) + kMaxText];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) < 0)
    if (errno != EINTR) return sys_error(errno, "sync: receive");
  if (n == 0) return std::unexpected(Error{EPIPE, "sync: peer closed"});
  if (static_cast<size_t>(n) < sizeof(Header)) return make_error("sync: short message ({} bytes)", n);
  Header h;
  std::memcpy(&h, buf, sizeof h);
  return SyncMessage{static_cast<SyncType>(h.type), h.err, std::string(buf + sizeof h, n - sizeof h)};
}

Result<int> connect_unix_socket(const std::string &path) {
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return make_error("{}: path too long for a unix socket", path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return sys_error(errno, "socket");
  while (::connect(fd, reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0) {
    if (errno == EINTR) continue;
    int err = errno;
    ::close(fd);
    return sys_error(err, "connect to {}", path);
  }
  return fd;
}

Result<void> send_fd(int sock, int fd, std::string_view name) {
  char cbuf[CMSG_SPACE(sizeof(int))] = {};
  struct iovec iov = {const_cast<char *>(name.data()), name.size()};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
  while (::sendmsg(sock, &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR) return sys_error(errno, "send file descriptor over console socket");
  return {};
}

Result<int> recv_fd(int sock) {
  char cbuf[CMSG_SPACE(sizeof(int))] = {};
  char name[4096];
  struct iovec iov = {name, sizeof name};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  ssize_t n;
  while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0)
    if (errno != EINTR) return sys_error(errno, "receive file descriptor");
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  if (!c || c->cmsg_type != SCM_RIGHTS) return make_error("receive file descriptor: no descriptor in message");
  int fd;
  std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
  return fd;
}

}  // namespace berth
