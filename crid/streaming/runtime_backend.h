// The streaming backend over an OCI runtime's command line: exec through
// `RUNTIME --root ROOT exec [--tty --console-socket S] ID CMD...`, attach
// through the container monitor's attach socket, port-forward by connecting
// from inside the pod's network namespace.
#pragma once

#include <functional>
#include <string>

#include "crid/runtime_target.h"
#include "crid/streaming/backend.h"

namespace berth::crid::streaming {

struct RuntimeBackendConfig {
  std::string runtime;       // OCI runtime binary (berth, runc)
  std::string runtime_root;  // its --root; empty: the runtime's default
  std::string console_dir = "/tmp";  // where the short-lived console sockets go
  // The network namespace file of a sandbox (pinned netns, or /proc/PID/ns/net).
  std::function<Result<std::string>(const std::string &sandbox_id)> netns_path;
  // How to reach a container through its runtime (binary, --root, global
  // flags of its handler); unset: runtime and runtime_root above for all.
  std::function<Result<RuntimeTarget>(const std::string &container_id)> target;
  // The container monitor's socket dir: "attach" and "ctl" (resize) live there.
  std::function<Result<std::string>(const std::string &container_id)> monitor_socket_dir;
  // The container's config.json, the base of an exec's process.json; unset:
  // exec --tty passes the command on the command line and sets the size late.
  std::function<Result<std::string>(const std::string &container_id)> bundle_config;
};

class RuntimeBackend : public StreamBackend {
 public:
  explicit RuntimeBackend(RuntimeBackendConfig config) : config_(std::move(config)) {}

  Result<int> exec(const std::string &container_id, const std::vector<std::string> &cmd,
                   const StreamIo &io) override;
  Result<int> attach(const std::string &container_id, const StreamIo &io) override;
  Result<Fd> port_forward(const std::string &sandbox_id, uint16_t port) override;

 private:
  Result<int> exec_tty(const std::string &container_id, const std::vector<std::string> &cmd,
                       const StreamIo &io);
  Result<std::vector<std::string>> runtime_argv(const std::string &container_id) const;
  RuntimeBackendConfig config_;
};

// Opens a TCP connection to 127.0.0.1:port from inside the network namespace
// at netns_path. A socket belongs to the namespace it was created in, so a
// short-lived thread enters the namespace, creates and connects the socket,
// and ends; crid's other threads never change namespace.
Result<Fd> connect_in_netns(const std::string &netns_path, uint16_t port);

}  // namespace berth::crid::streaming
