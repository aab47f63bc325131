// A connection to systemd's manager over D-Bus (sd-bus): the few calls the
// systemd cgroup driver needs, each waiting for the job it queues.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "cgroups/systemd_unit.h"
#include "libcontainer/result.h"

namespace berth::cgroups {

class SystemdBus {
 public:
  // As root, systemd's private socket first (no dbus-daemon needed), then the
  // system bus; and a check that systemd answers there. Fails with
  // "cannot connect to systemd over D-Bus (is systemd running as PID 1?): ...".
  static Result<std::unique_ptr<SystemdBus>> connect();
  ~SystemdBus();
  SystemdBus(const SystemdBus &) = delete;
  SystemdBus &operator=(const SystemdBus &) = delete;

  // StartTransientUnit in "fail" mode, then waits for its job: an error
  // unless the job's result is "done".
  Result<void> start_transient_unit(const std::string &name, const std::vector<UnitProperty> &props);
  // StopUnit and wait; a unit systemd no longer knows is already stopped.
  Result<void> stop_unit(const std::string &name);
  // SetUnitProperties (runtime only, so nothing is written under /etc).
  Result<void> set_unit_properties(const std::string &name, const std::vector<UnitProperty> &props);
  // The unit's ControlGroup property: its cgroup, relative to the hierarchy root.
  Result<std::string> control_group(const std::string &name);

 private:
  struct Impl;
  explicit SystemdBus(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace berth::cgroups
