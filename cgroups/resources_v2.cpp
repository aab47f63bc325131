#include <sys/stat.h>

#include "cgroups/cgroupfs.h"
#include "cgroups/convert.h"
#include "cgroups/resource_write.h"
#include "cgroups/resources.h"

namespace berth::cgroups {

namespace {

std::string parent_of(const std::string &dir) { return dir.substr(0, dir.rfind('/')); }

bool has_word(std::string_view text, std::string_view word) {
  size_t pos = 0;
  while ((pos = text.find(word, pos)) != std::string_view::npos) {
    bool start = pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == '\n';
    size_t end = pos + word.size();
    if (start && (end == text.size() || text[end] == ' ' || text[end] == '\n')) return true;
    pos = end;
  }
  return false;
}

Result<void> apply_memory(const std::string &dir, const MemoryResources &m) {
  int64_t limit = m.limit.value_or(0);
  auto swap = swap_to_v2(m.swap.value_or(0), limit);
  if (!swap) return make_error("linux.resources.memory.swap: {}", swap.error().message);
  // Swap first: with a lower memory.max the kernel would push pages to swap
  // the old swap.max may not have room for.
  if (*swap != 0) {
    std::string file = dir + "/memory.swap.max";
    auto r = write_resource("memory.swap", file, v2_limit(*swap));
    // Without swap accounting there is no file; "no limit" asked of it is no loss.
    if (!r && !(r.error().code == ENOENT && (*swap == -1 || *swap == 0))) return r;
  }
  if (limit != 0) TRY(write_resource("memory.limit", dir + "/memory.max", v2_limit(limit)));
  if (m.reservation && *m.reservation != 0)
    TRY(write_resource("memory.reservation", dir + "/memory.low", v2_limit(*m.reservation)));
  return {};
}

Result<void> apply_cpu(const std::string &dir, const CpuResources &c) {
  if (c.shares && *c.shares != 0)
    TRY(write_resource("cpu.shares", dir + "/cpu.weight", std::to_string(cpu_shares_to_weight(*c.shares))));
  int64_t quota = c.quota.value_or(0);
  uint64_t period = c.period.value_or(0);
  if (quota != 0 || period != 0) {
    // cpu.max takes "QUOTA PERIOD"; a period alone keeps the quota at max, as runc does.
    std::string value = quota > 0 ? std::to_string(quota) : "max";
    if (period != 0) value += " " + std::to_string(period);
    TRY(write_resource(quota != 0 ? "cpu.quota" : "cpu.period", dir + "/cpu.max", value));
  }
  if (c.burst) TRY(write_resource("cpu.burst", dir + "/cpu.max.burst", std::to_string(*c.burst)));
  if (c.idle) TRY(write_resource("cpu.idle", dir + "/cpu.idle", std::to_string(*c.idle)));
  if (c.realtime_period || c.realtime_runtime)
    if (c.realtime_period.value_or(0) != 0 || c.realtime_runtime.value_or(0) != 0)
      return make_error("linux.resources.cpu.realtimeRuntime: realtime scheduling limits are not supported on cgroup v2");
  if (!c.cpus.empty()) TRY(write_resource("cpu.cpus", dir + "/cpuset.cpus", c.cpus));
  if (!c.mems.empty()) TRY(write_resource("cpu.mems", dir + "/cpuset.mems", c.mems));
  return {};
}

Result<void> apply_io(const std::string &dir, const BlockIoResources &b) {
  if (b.weight && *b.weight != 0)
    TRY(write_resource("blockIO.weight", dir + "/io.weight", std::to_string(blkio_weight_to_io_weight(*b.weight))));
  for (const auto &w : b.weight_device)
    if (w.weight)
      TRY(write_resource("blockIO.weightDevice", dir + "/io.weight",
                         fmt::format("{}:{} {}", w.major, w.minor, blkio_weight_to_io_weight(*w.weight))));
  const std::tuple<const char *, const char *, const std::vector<ThrottleDevice> *> throttles[] = {
      {"blockIO.throttleReadBpsDevice", "rbps", &b.throttle_read_bps_device},
      {"blockIO.throttleWriteBpsDevice", "wbps", &b.throttle_write_bps_device},
      {"blockIO.throttleReadIOPSDevice", "riops", &b.throttle_read_iops_device},
      {"blockIO.throttleWriteIOPSDevice", "wiops", &b.throttle_write_iops_device},
  };
  for (auto [field, key, list] : throttles)
    for (const auto &t : *list)
      TRY(write_resource(field, dir + "/io.max",
                         fmt::format("{}:{} {}={}", t.major, t.minor, key, t.rate == 0 ? "max" : std::to_string(t.rate))));
  return {};
}

}  // namespace

Result<bool> enable_in_ancestors(const std::string &dir, std::string_view controller) {
  std::vector<std::string> chain;  // dir's ancestors, nearest first
  std::string root;
  for (std::string d = parent_of(dir); !d.empty(); d = parent_of(d)) {
    chain.push_back(d);
    if (!file_exists(d + "/cgroup.type")) {
      root = d;
      break;
    }
  }
  if (root.empty()) return make_error("{} is not inside a cgroup2 hierarchy", dir);
  auto available = TRY(read_text(root + "/cgroup.controllers"));
  if (!has_word(available, controller)) return false;
  for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
    auto enabled = TRY(read_text(*it + "/cgroup.subtree_control"));
    if (has_word(enabled, controller)) continue;
    TRY_CTX(write_text(*it + "/cgroup.subtree_control", fmt::format("+{}", controller)),
            fmt::format("enable the {} controller for {}", controller, dir));
  }
  return true;
}

Result<void> apply_unified_map(const std::string &dir, const std::map<std::string, std::string> &unified) {
  for (const auto &[key, value] : unified) {
    std::string field = fmt::format("unified[\"{}\"]", key);
    if (key.empty() || key.find('/') != std::string::npos || key == "." || key == "..")
      return make_error("linux.resources.{}: not a cgroup file name", field);
    std::string file = dir + "/" + key;
    struct stat st;
    if (::stat(file.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
      std::string controller = key.substr(0, key.find('.'));
      if (key.find('.') == std::string::npos || controller == "cgroup")
        return make_error("linux.resources.{}: {} does not exist", field, file);
      return make_error("linux.resources.{}: {} does not exist (is the {} controller available to this cgroup?)",
                        field, file, controller);
    }
    TRY(write_resource(field, file, value));
  }
  return {};
}

Result<void> apply_v2(const std::string &dir, const Resources &r) {
  if (r.memory) TRY(apply_memory(dir, *r.memory));
  if (r.cpu) TRY(apply_cpu(dir, *r.cpu));
  if (r.pids_limit && *r.pids_limit != 0) TRY(write_resource("pids.limit", dir + "/pids.max", v2_limit(*r.pids_limit)));
  if (r.block_io) TRY(apply_io(dir, *r.block_io));
  for (const auto &h : r.hugepage_limits) {
    TRY(write_resource("hugepageLimits", fmt::format("{}/hugetlb.{}.max", dir, h.page_size), std::to_string(h.limit)));
    // Reservations (5.7+) are limited alike, so a mapping cannot reserve past the limit.
    std::string rsvd = fmt::format("{}/hugetlb.{}.rsvd.max", dir, h.page_size);
    if (file_exists(rsvd)) TRY(write_resource("hugepageLimits", rsvd, std::to_string(h.limit)));
  }
  for (const auto &[dev, lim] : r.rdma)
    TRY(write_resource("rdma", dir + "/rdma.max",
                       fmt::format("{} hca_handle={} hca_object={}", dev,
                                   lim.hca_handles ? std::to_string(*lim.hca_handles) : "max",
                                   lim.hca_objects ? std::to_string(*lim.hca_objects) : "max")));
  if (!r.unified.empty()) TRY(apply_unified_map(dir, r.unified));
  return {};
}

}  // namespace berth::cgroups
