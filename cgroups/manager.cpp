#include "cgroups/manager.h"

#include "cgroups/cgroupfs.h"
#include "cgroups/paths.h"
#include "cgroups/systemd_manager.h"
#include "cgroups/v1_manager.h"
#include "cgroups/v2_manager.h"

namespace berth::cgroups {

Result<std::unique_ptr<Manager>> make_manager_for(Mode mode, std::string_view proc_cgroup, std::string_view mountinfo,
                                                  const std::string &cgroups_path, const std::string &id,
                                                  const std::string &root) {
  auto hierarchies = TRY(find_hierarchies(mode, proc_cgroup, mountinfo, root));
  if (mode == Mode::Unified) {
    const auto &h = hierarchies.front();
    return std::make_unique<V2Manager>(h.mount_point, TRY(container_dir(h, cgroups_path, id)));
  }
  std::vector<V1Dir> dirs;
  std::string unified;
  for (const auto &h : hierarchies) {
    auto dir = TRY(container_dir(h, cgroups_path, id));
    if (h.key.empty())
      unified = std::move(dir);
    else
      dirs.push_back({h.key, std::move(dir)});
  }
  return std::make_unique<V1Manager>(std::move(dirs), std::move(unified));
}

Result<std::unique_ptr<Manager>> make_manager(const std::string &cgroups_path, const std::string &id) {
  auto mode = TRY(detect_mode());
  auto proc_cgroup = TRY(read_text("/proc/self/cgroup"));
  auto mountinfo = TRY(read_text("/proc/self/mountinfo"));
  return make_manager_for(mode, proc_cgroup, mountinfo, cgroups_path, id);
}

Result<std::unique_ptr<Manager>> manager_from_json(const nlohmann::json &j) {
  try {
    if (!j.is_object() || !j.contains("kind") || !j["kind"].is_string())
      return make_error("cgroup state: \"kind\" is missing");
    auto kind = j["kind"].get<std::string>();
    if (kind == "v1") return V1Manager::from_json(j);
    if (kind == "v2") return V2Manager::from_json(j);
    if (kind == "systemd") return SystemdManager::from_json(j);
    return make_error("cgroup state: unknown kind \"{}\"", kind);
  } catch (const nlohmann::json::exception &e) {
    return make_error("cgroup state: {}", e.what());
  }
}

}  // namespace berth::cgroups
