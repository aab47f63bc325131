#include <cerrno>

#include "cgroups/cgroupfs.h"
#include "cgroups/convert.h"
#include "cgroups/resource_write.h"
#include "cgroups/resources.h"

namespace berth::cgroups {

namespace {

Result<void> apply_memory(const std::string &dir, const MemoryResources &m) {
  auto file = [&](const char *name) { return dir + "/" + name; };
  int64_t limit = m.limit.value_or(0), swap = m.swap.value_or(0);
  // Unlimited memory with swap unset means unlimited memory+swap too; else
  // the old memsw limit would still cap it.
  if (limit == -1 && swap == 0) swap = -1;
  bool have_memsw = file_exists(file("memory.memsw.limit_in_bytes"));
  auto write_limit = [&]() -> Result<void> {
    if (limit != 0) TRY(write_resource("memory.limit", file("memory.limit_in_bytes"), std::to_string(limit)));
    return {};
  };
  auto write_swap = [&]() -> Result<void> {
    if (swap != 0 && have_memsw)
      TRY(write_resource("memory.swap", file("memory.memsw.limit_in_bytes"), std::to_string(swap)));
    return {};
  };
  if (limit != 0 && swap != 0 && have_memsw) {
    // The kernel keeps memory <= memory+swap at every step, so which goes
    // first depends on whether the limits grow or shrink.
    auto current = read_text(file("memory.limit_in_bytes"));
    int64_t cur = current ? std::strtoll(current->c_str(), nullptr, 10) : 0;
    if (swap == -1 || cur < swap) {
      TRY(write_swap());
      TRY(write_limit());
    } else {
      TRY(write_limit());
      TRY(write_swap());
    }
  } else {
    TRY(write_limit());
    TRY(write_swap());
  }
  if (m.reservation && *m.reservation != 0)
    TRY(write_resource("memory.reservation", file("memory.soft_limit_in_bytes"), std::to_string(*m.reservation)));
  if (m.kernel_tcp && *m.kernel_tcp != 0)
    TRY(write_resource("memory.kernelTCP", file("memory.kmem.tcp.limit_in_bytes"), std::to_string(*m.kernel_tcp)));
  if (m.swappiness) TRY(write_resource("memory.swappiness", file("memory.swappiness"), std::to_string(*m.swappiness)));
  if (m.disable_oom_killer && *m.disable_oom_killer)
    TRY(write_resource("memory.disableOOMKiller", file("memory.oom_control"), "1"));
  return {};
}

Result<void> apply_cpu(const std::string &dir, const CpuResources &c) {
  auto file = [&](const char *name) { return dir + "/" + name; };
  if (c.shares && *c.shares != 0) TRY(write_resource("cpu.shares", file("cpu.shares"), std::to_string(*c.shares)));
  bool quota = c.quota && *c.quota != 0;
  if (c.period && *c.period != 0) {
    auto r = write_resource("cpu.period", file("cpu.cfs_period_us"), std::to_string(*c.period));
    // A shorter period can be refused while the old quota is larger than it
    // allows; writing the quota first and then the period again fixes that.
    if (!r && r.error().code == EINVAL && quota) {
      TRY(write_resource("cpu.quota", file("cpu.cfs_quota_us"), std::to_string(*c.quota)));
      quota = false;
      r = write_resource("cpu.period", file("cpu.cfs_period_us"), std::to_string(*c.period));
    }
    TRY(std::move(r));
  }
  if (quota) TRY(write_resource("cpu.quota", file("cpu.cfs_quota_us"), std::to_string(*c.quota)));
  if (c.burst) TRY(write_resource("cpu.burst", file("cpu.cfs_burst_us"), std::to_string(*c.burst)));
  // The period first: the runtime is checked against it.
  if (c.realtime_period && *c.realtime_period != 0)
    TRY(write_resource("cpu.realtimePeriod", file("cpu.rt_period_us"), std::to_string(*c.realtime_period)));
  if (c.realtime_runtime && *c.realtime_runtime != 0)
    TRY(write_resource("cpu.realtimeRuntime", file("cpu.rt_runtime_us"), std::to_string(*c.realtime_runtime)));
  if (c.idle) TRY(write_resource("cpu.idle", file("cpu.idle"), std::to_string(*c.idle)));
  return {};
}

Result<void> apply_cpuset(const std::string &dir, const CpuResources &c) {
  if (!c.cpus.empty()) TRY(write_resource("cpu.cpus", dir + "/cpuset.cpus", c.cpus));
  if (!c.mems.empty()) TRY(write_resource("cpu.mems", dir + "/cpuset.mems", c.mems));
  return {};
}

Result<void> apply_blkio(const std::string &dir, const BlockIoResources &b) {
  // Kernels with the BFQ scheduler and no CFQ only have the bfq-prefixed files.
  std::string prefix = file_exists(dir + "/blkio.weight") || !file_exists(dir + "/blkio.bfq.weight") ? "blkio." : "blkio.bfq.";
  if (b.weight && *b.weight != 0) TRY(write_resource("blockIO.weight", dir + "/" + prefix + "weight", std::to_string(*b.weight)));
  if (b.leaf_weight && *b.leaf_weight != 0)
    TRY(write_resource("blockIO.leafWeight", dir + "/blkio.leaf_weight", std::to_string(*b.leaf_weight)));
  for (const auto &w : b.weight_device) {
    if (w.weight)
      TRY(write_resource("blockIO.weightDevice", dir + "/" + prefix + "weight_device",
                         fmt::format("{}:{} {}", w.major, w.minor, *w.weight)));
    if (w.leaf_weight)
      TRY(write_resource("blockIO.weightDevice", dir + "/blkio.leaf_weight_device",
                         fmt::format("{}:{} {}", w.major, w.minor, *w.leaf_weight)));
  }
  const std::tuple<const char *, const char *, const std::vector<ThrottleDevice> *> throttles[] = {
      {"blockIO.throttleReadBpsDevice", "blkio.throttle.read_bps_device", &b.throttle_read_bps_device},
      {"blockIO.throttleWriteBpsDevice", "blkio.throttle.write_bps_device", &b.throttle_write_bps_device},
      {"blockIO.throttleReadIOPSDevice", "blkio.throttle.read_iops_device", &b.throttle_read_iops_device},
      {"blockIO.throttleWriteIOPSDevice", "blkio.throttle.write_iops_device", &b.throttle_write_iops_device},
  };
  for (auto [field, name, list] : throttles)
    for (const auto &t : *list)
      TRY(write_resource(field, dir + "/" + name, fmt::format("{}:{} {}", t.major, t.minor, t.rate)));
  return {};
}

}  // namespace

Result<void> apply_v1(const V1DirOf &dir_of, const std::string &unified, const Resources &r) {
  if (!r.unified.empty()) {
    if (unified.empty()) return make_error("linux.resources.unified: needs cgroup v2, and this host has only cgroup v1");
    TRY(apply_unified_map(unified, r.unified));
  }
  if (auto d = dir_of("cpuset"); !d.empty() && r.cpu) TRY(apply_cpuset(d, *r.cpu));
  if (auto d = dir_of("memory"); !d.empty() && r.memory) TRY(apply_memory(d, *r.memory));
  if (auto d = dir_of("cpu"); !d.empty() && r.cpu) TRY(apply_cpu(d, *r.cpu));
  if (auto d = dir_of("pids"); !d.empty() && r.pids_limit && *r.pids_limit != 0)
    TRY(write_resource("pids.limit", d + "/pids.max", *r.pids_limit > 0 ? std::to_string(*r.pids_limit) : "max"));
  if (auto d = dir_of("blkio"); !d.empty() && r.block_io) TRY(apply_blkio(d, *r.block_io));
  if (!r.hugepage_limits.empty()) {
    std::string d = dir_of("hugetlb");
    bool v2 = false;
    // A hybrid host may have given hugetlb to the cgroup2 hierarchy instead.
    if (d.empty() && !unified.empty() && TRY(enable_in_ancestors(unified, "hugetlb"))) {
      d = unified;
      v2 = true;
    }
    for (const auto &h : d.empty() ? std::vector<HugepageLimit>{} : r.hugepage_limits) {
      std::string name = "hugetlb." + h.page_size + (v2 ? ".max" : ".limit_in_bytes");
      TRY(write_resource("hugepageLimits", d + "/" + name, std::to_string(h.limit)));
    }
  }
  if (auto d = dir_of("net_cls"); !d.empty() && r.network && r.network->class_id)
    TRY(write_resource("network.classID", d + "/net_cls.classid", std::to_string(*r.network->class_id)));
  if (auto d = dir_of("net_prio"); !d.empty() && r.network)
    for (const auto &p : r.network->priorities)
      TRY(write_resource("network.priorities", d + "/net_prio.ifpriomap", fmt::format("{} {}", p.name, p.priority)));
  if (auto d = dir_of("rdma"); !d.empty())
    for (const auto &[dev, lim] : r.rdma)
      TRY(write_resource("rdma", d + "/rdma.max",
                         fmt::format("{} hca_handle={} hca_object={}", dev,
                                     lim.hca_handles ? std::to_string(*lim.hca_handles) : "max",
                                     lim.hca_objects ? std::to_string(*lim.hca_objects) : "max")));
  return {};
}

}  // namespace berth::cgroups
