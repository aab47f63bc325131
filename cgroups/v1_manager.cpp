#include "cgroups/v1_manager.h"

#include <fcntl.h>

#include <algorithm>

#include "cgroups/cgroupfs.h"
#include "cgroups/devices_apply.h"
#include "cgroups/freezer.h"
#include "cgroups/paths.h"
#include "cgroups/resources.h"

namespace berth::cgroups {

namespace {

bool has_controller(std::string_view key, std::string_view controller) {
  while (!key.empty()) {
    size_t comma = key.find(',');
    if (key.substr(0, comma) == controller) return true;
    if (comma == std::string_view::npos) break;
    key.remove_prefix(comma + 1);
  }
  return false;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.remove_suffix(1);
  return s;
}

std::string parent_of(const std::string &dir) { return dir.substr(0, dir.rfind('/')); }

// A new v1 cpuset cgroup starts with empty cpuset.cpus and cpuset.mems, and
// the kernel refuses to put a task in it (ENOSPC). Fill every empty level from
// the nearest ancestor that has values, top down.
Result<void> inherit_cpuset(const std::string &leaf) {
  std::vector<std::string> empty_levels;
  for (std::string dir = leaf; dir.size() > 1; dir = parent_of(dir)) {
    auto cpus = TRY(read_text(dir + "/cpuset.cpus"));
    auto mems = TRY(read_text(dir + "/cpuset.mems"));
    if (!trim(cpus).empty() && !trim(mems).empty()) break;
    empty_levels.push_back(dir);
  }
  for (auto it = empty_levels.rbegin(); it != empty_levels.rend(); ++it) {
    for (const char *file : {"/cpuset.cpus", "/cpuset.mems"}) {
      auto mine = TRY(read_text(*it + file));
      if (!trim(mine).empty()) continue;
      auto parents = TRY(read_text(parent_of(*it) + file));
      if (trim(parents).empty()) return make_error("{}{} is empty: no cpus or memory nodes to inherit", parent_of(*it), file);
      TRY(write_text(*it + file, trim(parents)));
    }
  }
  return {};
}

}  // namespace

V1Manager::V1Manager(std::vector<V1Dir> dirs, std::string unified)
    : dirs_(std::move(dirs)), unified_(std::move(unified)) {}

Result<void> V1Manager::create() {
  std::vector<std::string> created;
  auto make_all = [&]() -> Result<void> {
    for (const auto &d : dirs_) {
      TRY(mkdir_all(d.path, created));
      if (has_controller(d.key, "cpuset")) TRY_CTX(inherit_cpuset(d.path), fmt::format("set up cpuset cgroup {}", d.path));
    }
    if (!unified_.empty()) TRY(mkdir_all(unified_, created));
    return {};
  };
  auto r = make_all();
  if (!r) {
    remove_created(created);
    return std::unexpected(r.error().context("create cgroup"));
  }
  return {};
}

Result<void> V1Manager::add_process(pid_t pid) {
  std::string value = std::to_string(pid);
  for (const auto &d : dirs_)
    TRY_CTX(write_text(d.path + "/cgroup.procs", value), fmt::format("add process {} to cgroup {}", pid, d.path));
  if (!unified_.empty())
    TRY_CTX(write_text(unified_ + "/cgroup.procs", value), fmt::format("add process {} to cgroup {}", pid, unified_));
  return {};
}

Result<int> V1Manager::open_v2_dir() {
  // On a hybrid host the cgroup2 mount is the kernel's default hierarchy, so
  // clone3(CLONE_INTO_CGROUP) accepts it; the v1 placement still needs add_process.
  if (unified_.empty()) return -1;
  int fd = ::open(unified_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error(errno, "open cgroup {}", unified_);
  return fd;
}

const std::string &V1Manager::members_dir() const {
  for (const char *preferred : {"pids", "devices"})
    for (const auto &d : dirs_)
      if (has_controller(d.key, preferred)) return d.path;
  return dirs_.empty() ? unified_ : dirs_.front().path;
}

Result<std::vector<pid_t>> V1Manager::pids() { return read_procs(members_dir(), true); }

Result<void> V1Manager::kill_all(int signal) { return signal_procs(members_dir(), signal); }

Result<void> V1Manager::destroy() {
  // Keep going after a failure so one busy hierarchy does not leave the others behind.
  Result<void> first;
  auto remove = [&](const std::string &dir) {
    auto r = remove_cgroup_tree(dir);
    if (!r && first) first = std::unexpected(r.error());
  };
  for (const auto &d : dirs_) remove(d.path);
  if (!unified_.empty()) remove(unified_);
  return first;
}

// The v1 freezer controller when mounted; else, on a hybrid host, the cgroup2
// core's freezer in the unified dir (it stops the same tasks).
Result<void> V1Manager::freeze() {
  for (const auto &d : dirs_)
    if (has_controller(d.key, "freezer")) return freeze_v1(d.path);
  if (!unified_.empty()) return freeze_v2(unified_);
  return make_error("freeze cgroup: no freezer hierarchy is mounted");
}

Result<void> V1Manager::thaw() {
  for (const auto &d : dirs_)
    if (has_controller(d.key, "freezer")) return thaw_v1(d.path);
  if (!unified_.empty()) return thaw_v2(unified_);
  return make_error("thaw cgroup: no freezer hierarchy is mounted");
}

Result<FreezerState> V1Manager::freezer_state() {
  for (const auto &d : dirs_)
    if (has_controller(d.key, "freezer")) return freezer_state_v1(d.path);
  if (!unified_.empty()) return freezer_state_v2(unified_);
  return FreezerState::Thawed;
}

std::string V1Manager::dir_of(std::string_view controller) const {
  for (const auto &d : dirs_)
    if (has_controller(d.key, controller)) return d.path;
  return "";
}

Result<void> V1Manager::apply(const Resources &r) {
  return apply_v1([this](std::string_view c) { return dir_of(c); }, unified_, r);
}

Result<void> V1Manager::set_devices(const std::vector<DeviceCgroupRule> &rules) {
  // No devices hierarchy mounted: nothing to restrict with, as runc skips it.
  auto dir = dir_of("devices");
  if (dir.empty()) return {};
  return set_devices_v1(dir, rules);
}

Result<Stats> V1Manager::stats() {
  return read_stats_v1([this](std::string_view c) { return dir_of(c); }, unified_);
}

Result<OomWatch> V1Manager::watch_oom() {
  auto dir = dir_of("memory");
  if (dir.empty()) return make_error("watch for OOM events: no memory cgroup hierarchy is mounted");
  return OomWatch::open_v1(dir);
}

nlohmann::json V1Manager::to_json() const {
  nlohmann::json paths = nlohmann::json::object();
  for (const auto &d : dirs_) paths[d.key] = d.path;
  nlohmann::json j = {{"kind", "v1"}, {"paths", paths}};
  if (!unified_.empty()) j["unified"] = unified_;
  return j;
}

Result<std::unique_ptr<Manager>> V1Manager::from_json(const nlohmann::json &j) {
  if (!j.contains("paths") || !j["paths"].is_object()) return make_error("cgroup state: \"paths\" is missing");
  std::vector<V1Dir> dirs;
  for (const auto &[key, value] : j["paths"].items())
    dirs.push_back({key, TRY(stored_dir(value, fmt::format("paths.{}", key)))});
  std::string unified;
  if (j.contains("unified")) unified = TRY(stored_dir(j["unified"], "unified"));
  if (dirs.empty() && unified.empty()) return make_error("cgroup state: no cgroup directories");
  return std::make_unique<V1Manager>(std::move(dirs), std::move(unified));
}

}  // namespace berth::cgroups
