// Conversions between the OCI (cgroup v1 flavoured) resource values and what
// the cgroup v2 files take, the same arithmetic runc uses so a config means the
// same on both runtimes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "libcontainer/result.h"

namespace berth::cgroups {

// cpu.shares [2, 262144] (default 1024) -> cpu.weight [1, 10000] (default 100),
// on runc's quadratic curve through those three points. 0 stays 0 ("unset").
uint64_t cpu_shares_to_weight(uint64_t shares);

// blkio.weight [10, 1000] -> io.weight [1, 10000], linearly. 0 stays 0.
uint64_t blkio_weight_to_io_weight(uint64_t weight);

// memory.swap (memory+swap, v1 style) -> memory.swap.max (swap alone).
// 0 = leave unset, -1 = unlimited; as runc: unlimited memory with unset swap
// means unlimited swap too, and a swap limit needs a memory limit below it.
Result<int64_t> swap_to_v2(int64_t swap, int64_t memory);

// "2MB" -> the size in bytes, for matching /sys/kernel/mm/hugepages.
std::optional<uint64_t> parse_page_size(const std::string &s);

// A limit as cgroup v2 files write it: negative = "max".
std::string v2_limit(int64_t value);

}  // namespace berth::cgroups
