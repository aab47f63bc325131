// Whether the kernel's OOM killer acted in the container's memory cgroup:
// its oom_kill counter (v1 memory.oom_control, v2 memory.events), read once
// after create and again at exit. The cgroup comes from /proc/PID/cgroup of
// the init, which holds whatever path the runtime chose (cgroupfs or systemd).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace berth::crid::monitor {

class OomCounter {
 public:
  // No counter (no memory controller, the process already gone): never OOM.
  static OomCounter for_process(int pid);
  // For tests: the counter file and the text of /proc/PID/cgroup.
  static std::string counter_file(std::string_view proc_cgroup, const std::string &cgroup_root);

  // True when the counter grew since for_process.
  bool killed_since_start() const;

 private:
  std::string file_;
  uint64_t at_start_ = 0;
};

// "oom_kill N" in memory.oom_control or memory.events text.
std::optional<uint64_t> parse_oom_kill(std::string_view text);

}  // namespace berth::crid::monitor
