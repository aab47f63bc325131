// TEMPORARY: stand-ins for the monitor client (worker A) and the spec builder
// (worker B) until they land in main; removed at the merge.
#include <cerrno>

#include "crid/container_spec.h"
#include "crid/monitor_client.h"

namespace berth::crid {

Result<int> start_monitor(const MonitorOptions &o) { return make_error("start the monitor of {}: crid-monitor is not built yet", o.id); }
Result<ExitRecord> read_exit_file(const std::string &path) { return sys_error(ENOENT, "read {}", path); }
Result<nlohmann::json> build_container_spec(const runtime::v1::ContainerConfig &, const runtime::v1::PodSandboxConfig &,
                                            const SandboxContext &, const images::ImageConfig &, const std::string &,
                                            const std::string &, const SpecOptions &) {
  return make_error("build_container_spec is not built yet");
}
Result<nlohmann::json> build_sandbox_spec(const runtime::v1::PodSandboxConfig &, const SandboxContext &,
                                          const std::string &, const std::string &, const SpecOptions &) {
  return make_error("build_sandbox_spec is not built yet");
}

}  // namespace berth::crid
