// One interface for the cgroup managers (v2 unified, v1 legacy/hybrid, and
// systemd in cgroups/systemd_manager.h). berth and crid both use it.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cgroups/oom_watch.h"
#include "cgroups/stats.h"
#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth::cgroups {

enum class Mode { Unified, Hybrid, Legacy };

// What /sys/fs/cgroup is on this host (cgroup2 mount; tmpfs of v1 hierarchies
// with a cgroup2 at unified/; v1 only).
Result<Mode> detect_mode(const std::string &root = "/sys/fs/cgroup");

// What a freeze has reached: Freezing while some task has not stopped yet.
enum class FreezerState { Thawed, Freezing, Frozen };

class Manager {
 public:
  virtual ~Manager() = default;

  // Creates the cgroup directories (and, on v2, enables controllers in the
  // parents). On failure nothing it created is left.
  virtual Result<void> create() = 0;
  // Places a process in every hierarchy of this cgroup.
  virtual Result<void> add_process(pid_t pid) = 0;
  // An O_PATH|O_DIRECTORY fd of the v2 cgroup dir for clone3(CLONE_INTO_CGROUP),
  // or -1 where the host has no usable v2 cgroup for it.
  virtual Result<int> open_v2_dir() = 0;
  // Every process currently in the cgroup.
  virtual Result<std::vector<pid_t>> pids() = 0;
  // Signals every process in the cgroup.
  virtual Result<void> kill_all(int signal) = 0;
  // Removes the directories; retries while the kernel still counts members.
  virtual Result<void> destroy() = 0;
  // Stops every process in the cgroup and returns once all are stopped (v1
  // freezer.state, v2 cgroup.freeze); after a bounded wait it thaws them again
  // and fails, so a failed pause never leaves a half-frozen container.
  virtual Result<void> freeze() = 0;
  // Lets the processes run again.
  virtual Result<void> thaw() = 0;
  virtual Result<FreezerState> freezer_state() = 0;
  // Writes the fields set in r to the cgroup files (unset fields are left
  // alone, so `update` passes only what changes). Errors name the field and
  // the file: "linux.resources.memory.limit: write <file>: <errno text>".
  virtual Result<void> apply(const Resources &r) = 0;
  // Sets the device cgroup to exactly rules (the full list, defaults
  // included: container_device_rules in cgroups/device_rules.h). Called once
  // at create, before any process joins; apply() never touches devices.
  virtual Result<void> set_devices(const std::vector<DeviceCgroupRule> &rules) = 0;
  // What the cgroup has used so far.
  virtual Result<Stats> stats() = 0;
  // Notifications of the OOM killer acting in the cgroup.
  virtual Result<OomWatch> watch_oom() = 0;
  // Serialised into the container's state so delete finds the same dirs.
  virtual nlohmann::json to_json() const = 0;
};

// Computes (does not create) the cgroup for a container. cgroups_path as in
// linux.cgroupsPath: absolute = from the hierarchy root; relative = below the
// calling process's own cgroup; empty = "/<id>" (runc's default).
Result<std::unique_ptr<Manager>> make_manager(const std::string &cgroups_path, const std::string &id);

// As make_manager, for a given mode and given /proc/self/cgroup and
// /proc/self/mountinfo text (so other hosts' layouts can be tested).
Result<std::unique_ptr<Manager>> make_manager_for(Mode mode, std::string_view proc_cgroup, std::string_view mountinfo,
                                                  const std::string &cgroups_path, const std::string &id,
                                                  const std::string &root = "/sys/fs/cgroup");

// Rebuilds a manager from what to_json() wrote.
Result<std::unique_ptr<Manager>> manager_from_json(const nlohmann::json &j);

}  // namespace berth::cgroups
