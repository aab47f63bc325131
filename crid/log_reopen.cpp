#include "crid/log_reopen.h"

#include "crid/monitor_client.h"

namespace berth::crid {

Result<void> reopen_container_log(const std::string &container_id, const std::string &monitor_socket_dir) {
  TRY_CTX(monitor_command(monitor_socket_dir, "reopen-log"), fmt::format("reopen the log of container {}", container_id));
  return {};
}

}  // namespace berth::crid
