// The cgroupfs manager for legacy (v1 only) and hybrid hosts: one directory per
// mounted v1 hierarchy, named ones (name=systemd) included, and on hybrid hosts
// also one in the cgroup2 hierarchy at unified/, as runc does, so tools that
// look at 0:: in /proc/<pid>/cgroup see the container too.
#pragma once

#include <string>
#include <vector>

#include "cgroups/manager.h"

namespace berth::cgroups {

struct V1Dir {
  std::string key;   // hierarchy: "cpu,cpuacct", "name=systemd"
  std::string path;  // absolute directory of the container's cgroup in it
};

class V1Manager : public Manager {
 public:
  // unified: the container's dir in the cgroup2 hierarchy of a hybrid host, or "".
  V1Manager(std::vector<V1Dir> dirs, std::string unified);

  Result<void> create() override;
  Result<void> add_process(pid_t pid) override;
  Result<int> open_v2_dir() override;
  Result<std::vector<pid_t>> pids() override;
  Result<void> kill_all(int signal) override;
  Result<void> destroy() override;
  Result<void> freeze() override;
  Result<void> thaw() override;
  Result<FreezerState> freezer_state() override;
  Result<void> apply(const Resources &r) override;
  Result<void> set_devices(const std::vector<DeviceCgroupRule> &rules) override;
  Result<Stats> stats() override;
  Result<OomWatch> watch_oom() override;
  nlohmann::json to_json() const override;

  static Result<std::unique_ptr<Manager>> from_json(const nlohmann::json &j);

 private:
  // The directory whose cgroup.procs answers "who is in the container".
  const std::string &members_dir() const;
  // The dir in the hierarchy that has controller, or "".
  std::string dir_of(std::string_view controller) const;

  std::vector<V1Dir> dirs_;
  std::string unified_;
};

}  // namespace berth::cgroups
