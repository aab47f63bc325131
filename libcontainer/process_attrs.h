// Process attributes the init applies to itself before it execs the
// container's process: process.oomScoreAdj, ioPriority, scheduler,
// execCPUAffinity, linux.personality and linux.memoryPolicy. Each error
// names the config field it came from.
#pragma once

#include <sched.h>

#include <optional>
#include <string_view>
#include <vector>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// "0-3,7" -> {0,1,2,3,7}. Spaces are ignored; an empty list is an error.
Result<std::vector<unsigned>> parse_cpu_list(std::string_view list);

// The kernel's numbers for the spec's names (nullopt for an unknown name).
std::optional<int> scheduler_policy_value(std::string_view name);
std::optional<uint64_t> scheduler_flag_value(std::string_view name);
std::optional<int> io_priority_class_value(std::string_view name);
std::optional<int> memory_policy_mode_value(std::string_view name);
std::optional<int> memory_policy_flag_value(std::string_view name);
std::optional<unsigned long> personality_domain_value(std::string_view name);

Result<void> apply_oom_score_adj(std::optional<int> adj);
Result<void> apply_io_priority(const IoPriority &prio);
Result<void> apply_scheduler(const Scheduler &sched);
// which: "initial" or "final", for the error's field name.
Result<void> apply_cpu_affinity(std::string_view list, std::string_view which);
Result<void> apply_personality(const Personality &p);
Result<void> apply_memory_policy(const MemoryPolicy &m);

// Everything above that the config sets, except the final CPU affinity,
// which goes right before execve.
Result<void> apply_process_attrs(const Spec &spec);

}  // namespace berth
