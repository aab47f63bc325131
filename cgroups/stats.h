// What a container's cgroup has used, read from the v1 or v2 files, and its
// JSON in the shape of runc's `events --stats` data (crid reuses both).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "libcontainer/result.h"

namespace berth::cgroups {

struct MemoryEntry {
  uint64_t usage = 0, max = 0, limit = 0, failcnt = 0;
};

struct BlkioEntry {
  uint64_t major = 0, minor = 0;
  std::string op;  // "Read", "Write", "Sync", "Async", "Discard", "Total"
  uint64_t value = 0;
};

struct HugetlbEntry {
  uint64_t usage = 0, max = 0, failcnt = 0;
};

struct Stats {
  struct {
    uint64_t total = 0, kernel = 0, user = 0;  // nanoseconds
    std::vector<uint64_t> percpu;
    uint64_t periods = 0, throttled_periods = 0, throttled_time = 0;
  } cpu;
  struct {
    MemoryEntry usage, swap;
    std::map<std::string, uint64_t> raw;  // memory.stat
  } memory;
  struct {
    uint64_t current = 0, limit = 0;  // limit 0 = unlimited
  } pids;
  struct {
    std::vector<BlkioEntry> service_bytes, serviced;
  } blkio;
  std::map<std::string, HugetlbEntry> hugetlb;  // by page size, "2MB"
};

// dir_of as in resources.h: the container's dir in the v1 hierarchy with a
// controller, "" when none has it. unified: a hybrid host's cgroup2 dir or "".
Result<Stats> read_stats_v1(const std::function<std::string(std::string_view)> &dir_of, const std::string &unified);
Result<Stats> read_stats_v2(const std::string &dir);

// runc's types.Stats JSON: {"cpu":{"usage":{...},"throttling":{...}},"memory":{...},"pids":{...},...}.
nlohmann::ordered_json stats_to_json(const Stats &s);

// "key value" lines (memory.stat, cpu.stat) as a map.
std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text);

}  // namespace berth::cgroups
