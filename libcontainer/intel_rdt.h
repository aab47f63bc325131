// linux.intelRdt: the container's processes in a resctrl group (Intel RDT /
// AMD QoS), as runc's libcontainer/intelrdt and the runtime-spec do it:
//   - the group is /sys/fs/resctrl/<closID>, or /sys/fs/resctrl/<container id>
//     without a closID;
//   - l3CacheSchema, memBwSchema and schemata lines go to its "schemata" file;
//     a closID group that already exists is joined, and the lines asked for
//     must match what it holds (it is never rewritten: other containers and
//     whoever made it share it); with no lines, a closID group must exist;
//   - the init (and every exec'd process) is written to its "tasks";
//   - enableMonitoring adds a monitoring group mon_groups/<container id>;
//   - delete removes only what create made.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

inline constexpr const char *kResctrlRoot = "/sys/fs/resctrl";

// resctrl is mounted (its info/ directory is there).
bool intel_rdt_available();

// Before clone: a config asking for intelRdt on a host without resctrl is an error.
Result<void> check_intel_rdt(const Spec &spec);

// What create set up, kept in the state so exec joins it and delete undoes it.
struct RdtGroup {
  std::string path;      // the CLOS (CTRL_MON) group
  bool created = false;  // made by this container, so removed with it
  std::string mon_path;  // the monitoring group, when enableMonitoring
  bool mon_created = false;

  nlohmann::json to_json() const;
  static RdtGroup from_json(const nlohmann::json &j);
};

// Makes or joins the group and writes pid to it. Nothing it made is left on error.
Result<RdtGroup> join_intel_rdt(const IntelRdt &cfg, const std::string &container_id, pid_t pid,
                                const std::string &root = kResctrlRoot);

// An exec'd process joins the same groups.
Result<void> add_to_intel_rdt(const RdtGroup &g, pid_t pid);

// Removes what join_intel_rdt made (the monitoring group first).
Result<void> remove_intel_rdt(const RdtGroup &g);

// The lines written to "schemata": l3CacheSchema without its MB: lines when
// memBwSchema is set (runtime-spec), then memBwSchema, then schemata[].
std::vector<std::string> rdt_schemata_lines(const IntelRdt &cfg);

// Each wanted line has a line for the same resource in existing with the same
// value per domain (cache masks compared as numbers: "0ff" equals "ff").
Result<void> rdt_schemata_match(std::string_view existing, const std::vector<std::string> &wanted);

// `events --stats` "intel_rdt": the schemata of the root and of the group,
// and the monitoring counters when there is a monitoring group.
nlohmann::ordered_json intel_rdt_stats(const RdtGroup &g, const std::string &root = kResctrlRoot);

}  // namespace berth
