#include "libcontainer/seccomp_notify.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>

#include <nlohmann/json.hpp>

#include "libcontainer/fd.h"
#include "libcontainer/sync.h"

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
  Fd sock(TRY_CTX(connect_unix_socket(listener_path), "linux.seccomp.listenerPath"));
  TRY_CTX(send_fd(sock.get(), listener_fd, message),
          fmt::format("linux.seccomp.listenerPath: send the listener to {}", listener_path));
  return {};
}

}  // namespace berth
