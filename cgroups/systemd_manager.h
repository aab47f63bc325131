// The systemd cgroup driver (berth --systemd-cgroup): the container's cgroup
// is a transient scope (or slice) systemd makes and owns, asked for over
// D-Bus; the resource fields systemd has properties for go through systemd,
// and every field is also written to the unit's cgroup files by the cgroupfs
// manager of that cgroup, as runc's systemd driver does.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "cgroups/manager.h"
#include "cgroups/systemd_bus.h"
#include "cgroups/systemd_unit.h"

namespace berth::cgroups {

class SystemdManager : public Manager {
 public:
  // bus may be null (rebuilt from state): it is connected on first use.
  SystemdManager(SystemdUnit unit, std::unique_ptr<SystemdBus> bus, std::unique_ptr<Manager> fs, bool started);

  // Nothing to make yet: systemd needs the init's pid to start a scope.
  Result<void> create() override;
  // The first call starts the unit with pid in it (and the resources apply()
  // kept), waits for systemd's job and takes over the unit's cgroup.
  Result<void> add_process(pid_t pid) override;
  // -1: the scope does not exist before the init does.
  Result<int> open_v2_dir() override;
  Result<std::vector<pid_t>> pids() override;
  Result<void> kill_all(int signal) override;
  // Stops the unit (systemd removes its cgroup), then removes what is left.
  Result<void> destroy() override;
  Result<void> freeze() override;
  Result<void> thaw() override;
  Result<FreezerState> freezer_state() override;
  // Before the unit exists the resources are kept for its start; after, they
  // go to systemd (SetUnitProperties) and to the cgroup files.
  Result<void> apply(const Resources &r) override;
  // Before the unit exists the rules are kept for its start (DevicePolicy and
  // DeviceAllow), then set on the unit's cgroup files as well.
  Result<void> set_devices(const std::vector<DeviceCgroupRule> &rules) override;
  Result<Stats> stats() override;
  Result<OomWatch> watch_oom() override;
  nlohmann::json to_json() const override;

  static Result<std::unique_ptr<Manager>> from_json(const nlohmann::json &j);

 private:
  Result<SystemdBus *> bus();
  Result<Manager *> fs();
  Result<std::vector<UnitProperty>> resource_properties(const Resources &r);
  std::vector<UnitProperty> device_properties(const std::vector<DeviceCgroupRule> &rules);

  SystemdUnit unit_;
  std::unique_ptr<SystemdBus> bus_;
  std::unique_ptr<Manager> fs_;
  bool started_ = false;
  std::optional<Resources> pending_;
  std::optional<std::vector<DeviceCgroupRule>> pending_devices_;
};

// Connects to systemd (the clear error when it cannot) and names the unit
// from linux.cgroupsPath; nothing is created until add_process.
Result<std::unique_ptr<Manager>> make_systemd_manager(const std::string &cgroups_path, const std::string &id);

}  // namespace berth::cgroups
