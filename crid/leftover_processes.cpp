#include "crid/leftover_processes.h"

#include <fstream>

#include <nlohmann/json.hpp>

#include "crid/log.h"

namespace berth::crid {

bool shares_pid_namespace(const std::string &bundle_dir) {
  std::ifstream in(bundle_dir + "/config.json");
  if (!in) return true;
  auto spec = nlohmann::json::parse(in, nullptr, false);
  if (spec.is_discarded()) return true;
  auto namespaces = spec.value("/linux/namespaces"_json_pointer, nlohmann::json::array());
  if (!namespaces.is_array()) return true;
  for (const auto &ns : namespaces) {
    if (!ns.is_object() || ns.value("type", "") != "pid") continue;
    return !ns.value("path", "").empty();
  }
  return true;
}

void kill_leftover_processes(const OciRuntime &runtime, const std::string &id, const std::string &bundle_dir) {
  if (!shares_pid_namespace(bundle_dir)) return;
  if (auto r = runtime.kill_all(id, "KILL"); !r)
    log::warning("container {}: kill the processes its init left behind: {}", id, r.error().message);
}

}  // namespace berth::crid
