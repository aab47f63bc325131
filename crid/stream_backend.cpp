#include "crid/stream_backend.h"

#include "libcontainer/file_util.h"

namespace berth::crid {

streaming::RuntimeBackendConfig stream_backend_config(const Config &config, PodManager &pods) {
  streaming::RuntimeBackendConfig c;
  c.runtime = config.runtime;
  // Console sockets for exec --tty: under crid's state dir, which only root reaches.
  c.console_dir = config.state;
  c.target = [&pods](const std::string &id) -> Result<RuntimeTarget> {
    auto record = TRY(pods.container(id));
    auto runtime = TRY(pods.runtime_of(record));
    return RuntimeTarget{.runtime_path = runtime.path(), .runtime_root = runtime.root(), .container_id = record.id};
  };
  c.monitor_socket_dir = [&pods](const std::string &id) -> Result<std::string> {
    auto record = TRY(pods.container(id));
    return pods.container_dir(record.id) + "/monitor";
  };
  c.bundle_config = [&pods](const std::string &id) -> Result<std::string> {
    auto record = TRY(pods.container(id));
    return read_file(pods.container_dir(record.id) + "/config.json");
  };
  c.netns_path = [&pods](const std::string &id) -> Result<std::string> {
    auto record = TRY(pods.sandbox(id));
    if (!record.netns_path.empty()) return record.netns_path;
    if (record.config.linux().security_context().namespace_options().network() == runtime::v1::NODE)
      return std::string("/proc/self/ns/net");
    if (record.pid <= 0) return make_error("pod sandbox {} has no infra process to reach its network through", id);
    return fmt::format("/proc/{}/ns/net", record.pid);
  };
  return c;
}

}  // namespace berth::crid
