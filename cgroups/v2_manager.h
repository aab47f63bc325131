// The cgroupfs manager for hosts whose /sys/fs/cgroup is cgroup2.
#pragma once

#include <string>

#include "cgroups/manager.h"

namespace berth::cgroups {

class V2Manager : public Manager {
 public:
  // mount: the cgroup2 mount point; path: the container's dir below it.
  V2Manager(std::string mount, std::string path);

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
  std::string mount_;
  std::string path_;
};

}  // namespace berth::cgroups
