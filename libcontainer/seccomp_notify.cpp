#include "libcontainer/seccomp_notify.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "libcontainer/fd.h"

namespace berth {

std::string seccomp_process_state(const std::string &oci_version, pid_t pid, const std::string &metadata,
                                  const std::string &state_json) {
  nlohmann::ordered_json j;
  j["ociVersion"] = oci_version;
  j["fds"] = {"seccompFd"};
  j["pid"] = pid;
  j["metadata"] = metadata;
  j["state"] = nlohmann::ordered_json::parse(state_json, nullptr, false);
  return j.dump();
}

Result<void> send_seccomp_listener(const std::string &listener_path, int listener_fd, const std::string &message) {
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (listener_path.size() >= sizeof addr.sun_path)
    return make_error("linux.seccomp.listenerPath: {}: path too long for a unix socket", listener_path);
  std::memcpy(addr.sun_path, listener_path.c_str(), listener_path.size() + 1);
  Fd sock(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!sock) return sys_error(errno, "linux.seccomp.listenerPath: socket");
  while (::connect(sock.get(), reinterpret_cast<struct sockaddr *>(&addr), sizeof addr) < 0)
    if (errno != EINTR) return sys_error(errno, "linux.seccomp.listenerPath: connect to {}", listener_path);

  char cbuf[CMSG_SPACE(sizeof(int))] = {};
  struct iovec iov = {const_cast<char *>(message.data()), message.size()};
  struct msghdr msg = {};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  std::memcpy(CMSG_DATA(c), &listener_fd, sizeof(int));
  while (::sendmsg(sock.get(), &msg, MSG_NOSIGNAL) < 0)
    if (errno != EINTR) return sys_error(errno, "linux.seccomp.listenerPath: send the listener to {}", listener_path);
  return {};
}

}  // namespace berth
