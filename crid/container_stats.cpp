#include "crid/container_stats.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <set>
#include <utility>

#include "cgroups/cgroupfs.h"
#include "cgroups/manager.h"
#include "cgroups/systemd_unit.h"
#include "libcontainer/fd.h"

namespace berth::crid {

namespace {

// v1 reports "no limit" as a page-rounded LLONG_MAX, v2 as "max" (read as 0);
// anything above 2^62 is unlimited, as containerd reckons.
bool memory_unlimited(uint64_t limit) { return limit == 0 || limit > (uint64_t(1) << 62); }

// v1's memory.stat has hierarchical total_* counters; v2's has none.
bool is_v1(const cgroups::Stats &s) { return s.memory.raw.contains("total_inactive_file") || s.memory.raw.contains("total_rss"); }

uint64_t raw(const cgroups::Stats &s, const char *key) {
  auto it = s.memory.raw.find(key);
  return it == s.memory.raw.end() ? 0 : it->second;
}

uint64_t working_set(const cgroups::Stats &s) {
  uint64_t inactive = raw(s, is_v1(s) ? "total_inactive_file" : "inactive_file");
  uint64_t usage = s.memory.usage.usage;
  return inactive < usage ? usage - inactive : 0;
}

// A cgroupsPath in runc's systemd syntax names a unit; systemd puts it at
// <expanded slice>/<unit>, which is where cgroupfs finds its files.
Result<std::string> cgroupfs_path(const std::string &cgroups_path, const std::string &id) {
  if (cgroups_path.empty() || cgroups_path.front() == '/' || cgroups_path.find(':') == std::string::npos)
    return cgroups_path;
  auto unit = TRY(cgroups::parse_systemd_cgroups_path(cgroups_path, id));
  auto slice = TRY(cgroups::expand_slice(unit.slice));
  if (unit.is_slice()) return cgroups::expand_slice(unit.name);
  return (slice == "/" ? "" : slice) + "/" + unit.name;
}

struct WalkState {
  dev_t dev = 0;
  std::set<std::pair<dev_t, ino_t>> linked;
  DiskUsage usage;
};

void count(const struct stat &st, WalkState &w) {
  if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && !w.linked.insert({st.st_dev, st.st_ino}).second) return;
  w.usage.inodes++;
  w.usage.bytes += uint64_t(st.st_blocks) * 512;
}

// Entries that vanish while the container writes are skipped, not errors.
Result<void> walk(Fd dir, const std::string &path, WalkState &w) {
  DIR *d = ::fdopendir(dir.get());
  if (d == nullptr) return sys_error(errno, "open directory {}", path);
  dir.release();
  std::unique_ptr<DIR, int (*)(DIR *)> owner(d, ::closedir);
  while (true) {
    errno = 0;
    struct dirent *e = ::readdir(d);
    if (e == nullptr) {
      if (errno != 0) return sys_error(errno, "read directory {}", path);
      return {};
    }
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    struct stat st;
    if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) continue;
      return sys_error(errno, "stat {}/{}", path, name);
    }
    count(st, w);
    if (!S_ISDIR(st.st_mode) || st.st_dev != w.dev) continue;
    Fd sub(::openat(::dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!sub) {
      if (errno == ENOENT) continue;
      return sys_error(errno, "open directory {}/{}", path, name);
    }
    TRY(walk(std::move(sub), fmt::format("{}/{}", path, name), w));
  }
}

uint64_t to_u64(std::string_view s) {
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

void add(CgroupUsage &into, const CgroupUsage &from) {
  into.stats.cpu.total += from.stats.cpu.total;
  into.stats.memory.usage.usage += from.stats.memory.usage.usage;
  into.stats.memory.swap.usage += from.stats.memory.swap.usage;
  for (const auto &[k, v] : from.stats.memory.raw) into.stats.memory.raw[k] += v;
  into.processes += from.processes;
}

// A missing cgroup is no usage; other failures are errors.
Result<std::optional<CgroupUsage>> usage_if_there(const std::string &cgroups_path, const std::string &id) {
  auto u = read_cgroup_usage(cgroups_path, id);
  if (u) return std::optional<CgroupUsage>(std::move(*u));
  if (u.error().code == ENOENT) return std::optional<CgroupUsage>();
  return std::unexpected(std::move(u.error()));
}

runtime::v1::ContainerStats stats_of(const ContainerStatsInput &input, const std::optional<CgroupUsage> &usage,
                                     int64_t ts, CpuSampleCache &cache) {
  runtime::v1::ContainerStats out;
  *out.mutable_attributes() = input.attributes;
  const std::string &id = input.attributes.id();
  if (!input.upper_dir.empty()) {
    // The writable layer is best effort: a container being removed has none.
    if (auto du = disk_usage(input.upper_dir)) {
      auto *fs = out.mutable_writable_layer();
      fs->set_timestamp(ts);
      fs->mutable_fs_id()->set_mountpoint(input.fs_mountpoint);
      fs->mutable_used_bytes()->set_value(du->bytes);
      fs->mutable_inodes_used()->set_value(du->inodes);
    }
  }
  if (!usage) {
    cache.forget(id);
    return out;
  }
  auto nc = cache.update(id, {usage->stats.cpu.total, ts});
  *out.mutable_cpu() = cpu_usage(usage->stats, ts, nc);
  *out.mutable_memory() = memory_usage(usage->stats, ts);
  *out.mutable_swap() = swap_usage(usage->stats, ts);
  return out;
}

}  // namespace

uint64_t nano_cores(const CpuSample &previous, const CpuSample &now) {
  if (now.timestamp_ns <= previous.timestamp_ns || now.usage_ns < previous.usage_ns) return 0;
  auto used = static_cast<long double>(now.usage_ns - previous.usage_ns);
  auto span = static_cast<long double>(now.timestamp_ns - previous.timestamp_ns);
  return static_cast<uint64_t>(used / span * 1e9L);
}

std::optional<uint64_t> CpuSampleCache::update(const std::string &id, const CpuSample &now) {
  std::lock_guard lock(mutex_);
  auto [it, fresh] = samples_.try_emplace(id, now);
  if (fresh) return std::nullopt;
  uint64_t rate = nano_cores(it->second, now);
  it->second = now;
  return rate;
}

void CpuSampleCache::forget(const std::string &id) {
  std::lock_guard lock(mutex_);
  samples_.erase(id);
}

int64_t now_ns() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

Result<CgroupUsage> read_cgroup_usage(const std::string &cgroups_path, const std::string &id) {
  auto what = fmt::format("cgroup stats of {}", id);
  auto path = TRY_CTX(cgroupfs_path(cgroups_path, id), what);
  auto manager = TRY_CTX(cgroups::make_manager(path, id), what);
  auto pids = TRY_CTX(manager->pids(), what);
  if (pids.empty()) return std::unexpected(Error{ENOENT, fmt::format("{}: no process left in cgroup {}", what, path)});
  CgroupUsage out;
  out.stats = TRY_CTX(manager->stats(), what);
  out.processes = pids.size();
  return out;
}

runtime::v1::CpuUsage cpu_usage(const cgroups::Stats &stats, int64_t timestamp_ns, std::optional<uint64_t> nano_cores) {
  runtime::v1::CpuUsage out;
  out.set_timestamp(timestamp_ns);
  out.mutable_usage_core_nano_seconds()->set_value(stats.cpu.total);
  // Left unset the first time: the kubelet then computes the rate itself.
  if (nano_cores) out.mutable_usage_nano_cores()->set_value(*nano_cores);
  return out;
}

runtime::v1::MemoryUsage memory_usage(const cgroups::Stats &stats, int64_t timestamp_ns) {
  runtime::v1::MemoryUsage out;
  bool v1 = is_v1(stats);
  uint64_t ws = working_set(stats);
  out.set_timestamp(timestamp_ns);
  out.mutable_working_set_bytes()->set_value(ws);
  out.mutable_usage_bytes()->set_value(stats.memory.usage.usage);
  out.mutable_rss_bytes()->set_value(raw(stats, v1 ? "total_rss" : "anon"));
  out.mutable_page_faults()->set_value(raw(stats, v1 ? "total_pgfault" : "pgfault"));
  out.mutable_major_page_faults()->set_value(raw(stats, v1 ? "total_pgmajfault" : "pgmajfault"));
  uint64_t limit = stats.memory.usage.limit;
  if (!memory_unlimited(limit)) out.mutable_available_bytes()->set_value(limit > ws ? limit - ws : 0);
  return out;
}

runtime::v1::SwapUsage swap_usage(const cgroups::Stats &stats, int64_t timestamp_ns) {
  runtime::v1::SwapUsage out;
  out.set_timestamp(timestamp_ns);
  const auto &swap = stats.memory.swap;
  uint64_t used = swap.usage;
  uint64_t limit = swap.limit;
  if (is_v1(stats)) {
    // v1's memsw counters are memory plus swap.
    used = swap.usage > stats.memory.usage.usage ? swap.usage - stats.memory.usage.usage : 0;
    limit = memory_unlimited(swap.limit) || memory_unlimited(stats.memory.usage.limit) ||
                    swap.limit < stats.memory.usage.limit
                ? 0
                : swap.limit - stats.memory.usage.limit;
  }
  out.mutable_swap_usage_bytes()->set_value(used);
  if (!memory_unlimited(limit)) out.mutable_swap_available_bytes()->set_value(limit > used ? limit - used : 0);
  return out;
}

Result<DiskUsage> disk_usage(const std::string &dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd) return sys_error(errno, "open directory {}", dir);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return sys_error(errno, "stat {}", dir);
  WalkState w;
  w.dev = st.st_dev;
  count(st, w);
  TRY(walk(std::move(fd), dir, w));
  return w.usage;
}

runtime::v1::NetworkUsage network_usage(std::string_view net_dev, int64_t timestamp_ns,
                                        const std::string &default_interface) {
  runtime::v1::NetworkUsage out;
  out.set_timestamp(timestamp_ns);
  while (!net_dev.empty()) {
    size_t nl = net_dev.find('\n');
    std::string_view line = net_dev.substr(0, nl);
    net_dev.remove_prefix(nl == std::string_view::npos ? net_dev.size() : nl + 1);
    // "  eth0: rx_bytes rx_packets rx_errs ... (8 receive, 8 transmit counters)"
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto name = cgroups::split_words(line.substr(0, colon));
    auto fields = cgroups::split_words(line.substr(colon + 1));
    if (name.size() != 1 || fields.size() < 16 || name[0] == "lo") continue;
    runtime::v1::NetworkInterfaceUsage iface;
    iface.set_name(std::string(name[0]));
    iface.mutable_rx_bytes()->set_value(to_u64(fields[0]));
    iface.mutable_rx_errors()->set_value(to_u64(fields[2]));
    iface.mutable_tx_bytes()->set_value(to_u64(fields[8]));
    iface.mutable_tx_errors()->set_value(to_u64(fields[10]));
    if (iface.name() == default_interface) *out.mutable_default_interface() = iface;
    *out.add_interfaces() = std::move(iface);
  }
  return out;
}

Result<runtime::v1::ContainerStats> container_stats(const ContainerStatsInput &input, CpuSampleCache &cache) {
  int64_t ts = now_ns();
  auto usage = TRY(usage_if_there(input.cgroups_path, input.attributes.id()));
  return stats_of(input, usage, ts, cache);
}

Result<runtime::v1::PodSandboxStats> pod_sandbox_stats(const PodSandboxStatsInput &input, CpuSampleCache &cache) {
  int64_t ts = now_ns();
  const std::string &id = input.attributes.id();
  runtime::v1::PodSandboxStats out;
  *out.mutable_attributes() = input.attributes;
  auto *linux = out.mutable_linux();

  std::optional<CgroupUsage> pod;
  if (!input.pod_cgroups_path.empty()) pod = TRY(usage_if_there(input.pod_cgroups_path, id));
  bool summed = input.pod_cgroups_path.empty();
  if (summed && !input.infra_cgroups_path.empty()) pod = TRY(usage_if_there(input.infra_cgroups_path, id));
  for (const auto &c : input.containers) {
    auto usage = TRY(usage_if_there(c.cgroups_path, c.attributes.id()));
    *linux->add_containers() = stats_of(c, usage, ts, cache);
    if (summed && usage) {
      if (!pod) pod = CgroupUsage{};
      add(*pod, *usage);
    }
  }
  if (summed && pod) pod->stats.memory.usage.limit = 0;  // a sum has no single limit

  if (pod) {
    auto nc = cache.update(id, {pod->stats.cpu.total, ts});
    *linux->mutable_cpu() = cpu_usage(pod->stats, ts, nc);
    *linux->mutable_memory() = memory_usage(pod->stats, ts);
    auto *process = linux->mutable_process();
    process->set_timestamp(ts);
    process->mutable_process_count()->set_value(pod->processes);
  } else {
    cache.forget(id);
  }
  if (input.infra_pid > 0) {
    if (auto dev = cgroups::read_text(fmt::format("/proc/{}/net/dev", input.infra_pid)))
      *linux->mutable_network() = network_usage(*dev, ts);
  }
  return out;
}

}  // namespace berth::crid
