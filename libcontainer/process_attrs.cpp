#include "libcontainer/process_attrs.h"

#include <fcntl.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <array>
#include <charconv>
#include <cstring>
#include <string>

#include "libcontainer/fd.h"

namespace berth {

namespace {

template <typename T>
struct Named {
  std::string_view name;
  T value;
};

// <linux/sched.h> and <linux/mempolicy.h> values, spelled out: the glibc and
// kernel headers of this distribution disagree on which they define.
constexpr std::array<Named<int>, 7> kPolicies = {{{"SCHED_OTHER", 0},
                                                  {"SCHED_FIFO", 1},
                                                  {"SCHED_RR", 2},
                                                  {"SCHED_BATCH", 3},
                                                  {"SCHED_ISO", 4},
                                                  {"SCHED_IDLE", 5},
                                                  {"SCHED_DEADLINE", 6}}};
constexpr std::array<Named<uint64_t>, 7> kSchedFlags = {{{"SCHED_FLAG_RESET_ON_FORK", 0x01},
                                                         {"SCHED_FLAG_RECLAIM", 0x02},
                                                         {"SCHED_FLAG_DL_OVERRUN", 0x04},
                                                         {"SCHED_FLAG_KEEP_POLICY", 0x08},
                                                         {"SCHED_FLAG_KEEP_PARAMS", 0x10},
                                                         {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
                                                         {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40}}};
constexpr std::array<Named<int>, 3> kIoClasses = {
    {{"IOPRIO_CLASS_RT", 1}, {"IOPRIO_CLASS_BE", 2}, {"IOPRIO_CLASS_IDLE", 3}}};
constexpr std::array<Named<int>, 7> kMpolModes = {{{"MPOL_DEFAULT", 0},
                                                   {"MPOL_PREFERRED", 1},
                                                   {"MPOL_BIND", 2},
                                                   {"MPOL_INTERLEAVE", 3},
                                                   {"MPOL_LOCAL", 4},
                                                   {"MPOL_PREFERRED_MANY", 5},
                                                   {"MPOL_WEIGHTED_INTERLEAVE", 6}}};
constexpr std::array<Named<int>, 3> kMpolFlags = {
    {{"MPOL_F_NUMA_BALANCING", 1 << 13}, {"MPOL_F_RELATIVE_NODES", 1 << 14}, {"MPOL_F_STATIC_NODES", 1 << 15}}};
constexpr std::array<Named<unsigned long>, 2> kDomains = {{{"LINUX", PER_LINUX}, {"LINUX32", PER_LINUX32}}};

template <typename T, size_t N>
std::optional<T> lookup(const std::array<Named<T>, N> &table, std::string_view name) {
  for (const auto &e : table)
    if (e.name == name) return e.value;
  return std::nullopt;
}

// struct sched_attr of sched_setattr(2), version SCHED_ATTR_SIZE_VER1.
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};

}  // namespace

Result<std::vector<unsigned>> parse_cpu_list(std::string_view list) {
  std::vector<unsigned> out;
  std::string s;
  for (char c : list)
    if (c != ' ') s.push_back(c);
  if (s.empty()) return make_error("empty CPU list");
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(',', start);
    if (end == std::string::npos) end = s.size();
    std::string_view item(s.data() + start, end - start);
    if (item.empty()) return make_error("invalid CPU list \"{}\": empty item", list);
    auto dash = item.find('-');
    unsigned lo = 0, hi = 0;
    auto num = [&](std::string_view t, unsigned &v) {
      auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
      return ec == std::errc() && p == t.data() + t.size() && !t.empty();
    };
    if (dash == std::string_view::npos) {
      if (!num(item, lo)) return make_error("invalid CPU list \"{}\": \"{}\" is not a number", list, item);
      hi = lo;
    } else if (!num(item.substr(0, dash), lo) || !num(item.substr(dash + 1), hi) || hi < lo) {
      return make_error("invalid CPU list \"{}\": bad range \"{}\"", list, item);
    }
    if (hi >= CPU_SETSIZE) return make_error("invalid CPU list \"{}\": CPU {} is out of range", list, hi);
    for (unsigned c = lo; c <= hi; ++c) out.push_back(c);
    start = end + 1;
  }
  return out;
}

std::optional<int> scheduler_policy_value(std::string_view n) { return lookup(kPolicies, n); }
std::optional<uint64_t> scheduler_flag_value(std::string_view n) { return lookup(kSchedFlags, n); }
std::optional<int> io_priority_class_value(std::string_view n) { return lookup(kIoClasses, n); }
std::optional<int> memory_policy_mode_value(std::string_view n) { return lookup(kMpolModes, n); }
std::optional<int> memory_policy_flag_value(std::string_view n) { return lookup(kMpolFlags, n); }
std::optional<unsigned long> personality_domain_value(std::string_view n) { return lookup(kDomains, n); }

Result<void> apply_oom_score_adj(std::optional<int> adj) {
  if (!adj) return {};
  Fd fd(::open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "process.oomScoreAdj: open /proc/self/oom_score_adj");
  std::string v = std::to_string(*adj);
  if (::write(fd.get(), v.data(), v.size()) < 0) {
    int err = errno;
    if (err == EACCES || err == EPERM)
      return sys_error(err, "process.oomScoreAdj: cannot set {}: lowering it below the runtime's own value needs "
                            "CAP_SYS_RESOURCE", *adj);
    return sys_error(err, "process.oomScoreAdj: write {}", *adj);
  }
  return {};
}

Result<void> apply_io_priority(const IoPriority &prio) {
  auto klass = io_priority_class_value(prio.klass);
  if (!klass) return make_error("process.ioPriority.class: unknown class \"{}\"", prio.klass);
  constexpr int kWhoProcess = 1, kClassShift = 13;
  if (::syscall(SYS_ioprio_set, kWhoProcess, 0, (*klass << kClassShift) | prio.priority) < 0)
    return sys_error(errno, "process.ioPriority: ioprio_set {} {}", prio.klass, prio.priority);
  return {};
}

Result<void> apply_scheduler(const Scheduler &sched) {
  auto policy = scheduler_policy_value(sched.policy);
  if (!policy) return make_error("process.scheduler.policy: unknown policy \"{}\"", sched.policy);
  SchedAttr a = {};
  a.size = sizeof a;
  a.sched_policy = static_cast<uint32_t>(*policy);
  for (const auto &f : sched.flags) {
    auto v = scheduler_flag_value(f);
    if (!v) return make_error("process.scheduler.flags: unknown flag \"{}\"", f);
    a.sched_flags |= *v;
  }
  a.sched_nice = sched.nice.value_or(0);
  a.sched_priority = static_cast<uint32_t>(sched.priority.value_or(0));
  a.sched_runtime = sched.runtime.value_or(0);
  a.sched_deadline = sched.deadline.value_or(0);
  a.sched_period = sched.period.value_or(0);
  if (::syscall(SYS_sched_setattr, 0, &a, 0) < 0)
    return sys_error(errno, "process.scheduler: sched_setattr policy {}", sched.policy);
  return {};
}

Result<void> apply_cpu_affinity(std::string_view list, std::string_view which) {
  if (list.empty()) return {};
  auto cpus = TRY_CTX(parse_cpu_list(list), fmt::format("process.execCPUAffinity.{}", which));
  cpu_set_t set;
  CPU_ZERO(&set);
  for (unsigned c : cpus) CPU_SET(c, &set);
  if (::sched_setaffinity(0, sizeof set, &set) < 0)
    return sys_error(errno, "process.execCPUAffinity.{}: set CPUs \"{}\"", which, list);
  return {};
}

Result<void> apply_personality(const Personality &p) {
  auto domain = personality_domain_value(p.domain);
  if (!domain) return make_error("linux.personality.domain: unknown domain \"{}\"", p.domain);
  // The spec defines no flags yet; runc refuses none and sets none either.
  if (::personality(*domain) < 0) return sys_error(errno, "linux.personality: set {}", p.domain);
  return {};
}

Result<void> apply_memory_policy(const MemoryPolicy &m) {
  auto mode = memory_policy_mode_value(m.mode);
  if (!mode) return make_error("linux.memoryPolicy.mode: unknown mode \"{}\"", m.mode);
  int flags = 0;
  for (const auto &f : m.flags) {
    auto v = memory_policy_flag_value(f);
    if (!v) return make_error("linux.memoryPolicy.flags: unknown flag \"{}\"", f);
    flags |= *v;
  }
  constexpr unsigned kMaxNode = 1024;
  unsigned long mask[kMaxNode / (8 * sizeof(unsigned long))] = {};
  bool any = false;
  if (!m.nodes.empty()) {
    auto nodes = TRY_CTX(parse_cpu_list(m.nodes), "linux.memoryPolicy.nodes");
    for (unsigned n : nodes) {
      if (n >= kMaxNode) return make_error("linux.memoryPolicy.nodes: node {} is out of range", n);
      mask[n / (8 * sizeof(unsigned long))] |= 1UL << (n % (8 * sizeof(unsigned long)));
      any = true;
    }
  }
  if (::syscall(SYS_set_mempolicy, *mode | flags, any ? mask : nullptr, any ? kMaxNode : 0) < 0)
    return sys_error(errno, "linux.memoryPolicy: set_mempolicy {} nodes \"{}\"", m.mode, m.nodes);
  return {};
}

Result<void> apply_process_attrs(const Spec &spec) {
  const Process &p = *spec.process;
  TRY(apply_oom_score_adj(p.oom_score_adj));
  if (p.io_priority) TRY(apply_io_priority(*p.io_priority));
  if (p.scheduler) TRY(apply_scheduler(*p.scheduler));
  if (spec.linux && spec.linux->personality) TRY(apply_personality(*spec.linux->personality));
  if (spec.linux && spec.linux->memory_policy) TRY(apply_memory_policy(*spec.linux->memory_policy));
  return {};
}

}  // namespace berth
