#include "cgroups/v2_manager.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include "cgroups/cgroupfs.h"
#include "cgroups/devices_apply.h"
#include "cgroups/freezer.h"
#include "cgroups/paths.h"
#include "cgroups/resources.h"

namespace berth::cgroups {

namespace {

// Delegates to the children of dir every controller dir itself has. One write
// per controller, failures ignored: the host may keep some for itself (or dir
// may hold processes, which forbids it), and the container then runs without
// those limits rather than not at all.
void enable_controllers(const std::string &dir) {
  auto available = read_text(dir + "/cgroup.controllers");
  auto enabled = read_text(dir + "/cgroup.subtree_control");
  if (!available || !enabled) return;
  auto on = split_words(*enabled);
  for (const auto &c : split_words(*available)) {
    if (std::find(on.begin(), on.end(), c) != on.end()) continue;
    (void)write_text(dir + "/cgroup.subtree_control", "+" + std::string(c));
  }
}

}  // namespace

V2Manager::V2Manager(std::string mount, std::string path) : mount_(std::move(mount)), path_(std::move(path)) {}

Result<void> V2Manager::create() {
  std::vector<std::string> created;
  if (auto r = mkdir_all(path_, created); !r) {
    remove_created(created);
    return std::unexpected(r.error().context("create cgroup"));
  }
  // Top down, so each level sees the controllers its parent just delegated.
  if (path_.starts_with(mount_ + "/")) {
    for (size_t pos = mount_.size(); pos != std::string::npos; pos = path_.find('/', pos + 1))
      enable_controllers(path_.substr(0, pos));
  }
  return {};
}

Result<void> V2Manager::add_process(pid_t pid) {
  TRY_CTX(write_text(path_ + "/cgroup.procs", std::to_string(pid)), fmt::format("add process {} to cgroup {}", pid, path_));
  return {};
}

Result<int> V2Manager::open_v2_dir() {
  int fd = ::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error(errno, "open cgroup {}", path_);
  return fd;
}

Result<std::vector<pid_t>> V2Manager::pids() { return read_procs(path_, true); }

Result<void> V2Manager::kill_all(int signal) {
  // cgroup.kill (5.14+) kills the whole subtree atomically, forks included.
  std::string kill_file = path_ + "/cgroup.kill";
  if (signal == SIGKILL && ::access(kill_file.c_str(), F_OK) == 0) {
    auto r = write_text(kill_file, "1");
    if (r || r.error().code == ENOENT) return {};
    return std::unexpected(r.error());
  }
  return signal_procs(path_, signal);
}

Result<void> V2Manager::destroy() { return remove_cgroup_tree(path_); }

Result<void> V2Manager::freeze() { return freeze_v2(path_); }

Result<void> V2Manager::thaw() { return thaw_v2(path_); }

Result<FreezerState> V2Manager::freezer_state() { return freezer_state_v2(path_); }

Result<void> V2Manager::apply(const Resources &r) { return apply_v2(path_, r); }

Result<void> V2Manager::set_devices(const std::vector<DeviceCgroupRule> &rules) { return set_devices_v2(path_, rules); }

Result<Stats> V2Manager::stats() { return read_stats_v2(path_); }

Result<OomWatch> V2Manager::watch_oom() { return OomWatch::open_v2(path_); }

nlohmann::json V2Manager::to_json() const { return {{"kind", "v2"}, {"mount", mount_}, {"path", path_}}; }

Result<std::unique_ptr<Manager>> V2Manager::from_json(const nlohmann::json &j) {
  if (!j.contains("mount") || !j.contains("path")) return make_error("cgroup state: \"mount\" or \"path\" is missing");
  auto mount = j["mount"].is_string() ? j["mount"].get<std::string>() : std::string();
  if (!mount.starts_with('/')) return make_error("cgroup state: \"mount\" is not an absolute path");
  auto path = TRY(stored_dir(j["path"], "path"));
  return std::make_unique<V2Manager>(std::move(mount), std::move(path));
}

}  // namespace berth::cgroups
