// ContainerStats and PodSandboxStats: what a container's (or a pod's) cgroup
// has used, in CRI's terms (usage_core_nano_seconds, working_set_bytes, ...),
// read through cgroups/ on v1, hybrid and v2 hosts, plus the writable layer's
// disk use and the pod's network counters.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cgroups/stats.h"
#include "crid/cri_api.h"
#include "libcontainer/result.h"

namespace berth::crid {

// One reading of a cgroup's cumulative CPU time.
struct CpuSample {
  uint64_t usage_ns = 0;     // cumulative CPU time, nanoseconds
  int64_t timestamp_ns = 0;  // when it was read, wall clock
};

// CPU use between two samples in nanocores (1e9 = one core busy): 0 when the
// samples do not span time or the counter went back (the cgroup was remade).
uint64_t nano_cores(const CpuSample &previous, const CpuSample &now);

// The last sample per container or pod, so a stats call reports the rate
// since the previous call, as containerd does. Thread-safe.
class CpuSampleCache {
 public:
  // The rate since the previous sample of id (nullopt the first time);
  // remembers now for the next call.
  std::optional<uint64_t> update(const std::string &id, const CpuSample &now);
  void forget(const std::string &id);

 private:
  std::mutex mutex_;
  std::map<std::string, CpuSample> samples_;
};

// Nanoseconds since the epoch, the CRI stats timestamps.
int64_t now_ns();

// What one cgroup (and those below it) used, and how many processes it holds.
struct CgroupUsage {
  cgroups::Stats stats;
  uint64_t processes = 0;
};

// The cgroup of linux.cgroupsPath (cgroupfs "/a/b" or systemd "slice:prefix:name")
// read with cgroups/. ENOENT when no process is left in it (a stopped
// container, whose cgroup the runtime removes).
Result<CgroupUsage> read_cgroup_usage(const std::string &cgroups_path, const std::string &id);

// CRI's usages from cgroup stats. v1 and v2 differ in the memory.stat keys
// (v1's hierarchical total_* counters, v2's anon/pgfault); both are handled.
runtime::v1::CpuUsage cpu_usage(const cgroups::Stats &stats, int64_t timestamp_ns,
                                std::optional<uint64_t> nano_cores);
runtime::v1::MemoryUsage memory_usage(const cgroups::Stats &stats, int64_t timestamp_ns);
runtime::v1::SwapUsage swap_usage(const cgroups::Stats &stats, int64_t timestamp_ns);

// Bytes (allocated blocks) and inodes under dir, not following symlinks or
// crossing mounts; hard links counted once.
struct DiskUsage {
  uint64_t bytes = 0;
  uint64_t inodes = 0;
};
Result<DiskUsage> disk_usage(const std::string &dir);

// /proc/<pid>/net/dev text -> per-interface counters (lo left out);
// default_interface names the one reported as the pod's default.
runtime::v1::NetworkUsage network_usage(std::string_view net_dev, int64_t timestamp_ns,
                                        const std::string &default_interface = "eth0");

struct ContainerStatsInput {
  runtime::v1::ContainerAttributes attributes;  // id, metadata, labels, annotations
  std::string cgroups_path;                     // the container's linux.cgroupsPath
  std::string upper_dir;                        // overlay upper dir (the writable layer); "" none
  std::string fs_mountpoint;                    // reported as writable_layer.fs_id
};

// A stopped container (no cgroup) gets its attributes and writable layer only.
Result<runtime::v1::ContainerStats> container_stats(const ContainerStatsInput &input, CpuSampleCache &cache);

struct PodSandboxStatsInput {
  runtime::v1::PodSandboxAttributes attributes;
  // The pod's own cgroup (PodSandboxConfig.linux.cgroup_parent) when it has
  // one: it holds every container. Empty: the pod's usage is the sum of the
  // infra's and the containers' cgroups.
  std::string pod_cgroups_path;
  std::string infra_cgroups_path;
  pid_t infra_pid = 0;  // network counters from its netns; 0 none (stopped, host network)
  std::vector<ContainerStatsInput> containers;
};

Result<runtime::v1::PodSandboxStats> pod_sandbox_stats(const PodSandboxStatsInput &input, CpuSampleCache &cache);

}  // namespace berth::crid
