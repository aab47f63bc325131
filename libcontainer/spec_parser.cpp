// config.json -> Spec in one pass: each struct of the model has a reader that
// checks types, required fields and value vocabularies as it goes; checks that
// span sections (mappings need a user namespace, ...) run once the whole
// document is read.
#include "libcontainer/spec_parser.h"

#include "libcontainer/file_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <utility>

#include "libcontainer/fd.h"
#include "libcontainer/spec_json.h"

namespace berth {

using namespace spec_json;

namespace {

constexpr std::array<std::pair<NamespaceType, std::string_view>, 8> kNamespaceNames{{
    {NamespaceType::Pid, "pid"},
    {NamespaceType::Network, "network"},
    {NamespaceType::Mount, "mount"},
    {NamespaceType::Ipc, "ipc"},
    {NamespaceType::Uts, "uts"},
    {NamespaceType::User, "user"},
    {NamespaceType::Cgroup, "cgroup"},
    {NamespaceType::Time, "time"},
}};

// Vocabularies the runtime-spec fixes. Values outside them are refused here so
// that a typo fails at parse time with its path, not later in a syscall.
constexpr std::string_view kRlimits[] = {"RLIMIT_AS",     "RLIMIT_CORE",   "RLIMIT_CPU",        "RLIMIT_DATA",
                                         "RLIMIT_FSIZE",  "RLIMIT_LOCKS",  "RLIMIT_MEMLOCK",    "RLIMIT_MSGQUEUE",
                                         "RLIMIT_NICE",   "RLIMIT_NOFILE", "RLIMIT_NPROC",      "RLIMIT_RSS",
                                         "RLIMIT_RTPRIO", "RLIMIT_RTTIME", "RLIMIT_SIGPENDING", "RLIMIT_STACK"};
constexpr std::string_view kIoPriorityClasses[] = {"IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
constexpr std::string_view kSchedulerPolicies[] = {"SCHED_OTHER", "SCHED_FIFO", "SCHED_RR",      "SCHED_BATCH",
                                                   "SCHED_ISO",   "SCHED_IDLE", "SCHED_DEADLINE"};
constexpr std::string_view kSchedulerFlags[] = {
    "SCHED_FLAG_RESET_ON_FORK", "SCHED_FLAG_RECLAIM",        "SCHED_FLAG_DL_OVERRUN",    "SCHED_FLAG_KEEP_POLICY",
    "SCHED_FLAG_KEEP_PARAMS",   "SCHED_FLAG_UTIL_CLAMP_MIN", "SCHED_FLAG_UTIL_CLAMP_MAX"};
constexpr std::string_view kPropagations[] = {"shared",  "slave",  "private",  "unbindable",
                                              "rshared", "rslave", "rprivate", "runbindable"};
constexpr std::string_view kSeccompActions[] = {"SCMP_ACT_KILL",  "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                                "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",        "SCMP_ACT_TRACE",
                                                "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",          "SCMP_ACT_NOTIFY"};
constexpr std::string_view kSeccompOperators[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",       "SCMP_CMP_EQ",
                                                  "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
constexpr std::string_view kSeccompFlags[] = {"SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG",
                                              "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                                              "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
constexpr std::string_view kPersonalityDomains[] = {"LINUX", "LINUX32"};
constexpr std::string_view kMemoryPolicyModes[] = {
    "MPOL_DEFAULT",   "MPOL_BIND",           "MPOL_INTERLEAVE", "MPOL_WEIGHTED_INTERLEAVE",
    "MPOL_PREFERRED", "MPOL_PREFERRED_MANY", "MPOL_LOCAL"};
constexpr std::string_view kMemoryPolicyFlags[] = {"MPOL_F_NUMA_BALANCING", "MPOL_F_RELATIVE_NODES",
                                                   "MPOL_F_STATIC_NODES"};
constexpr std::string_view kTimeOffsetClocks[] = {"monotonic", "boottime"};

template <size_t N>
bool one_of(std::string_view value, const std::string_view (&set)[N]) {
  return std::ranges::find(set, value) != std::end(set);
}

template <size_t N>
Result<void> check_one_of(std::string_view value, const std::string_view (&set)[N], std::string_view path,
                          std::string_view what) {
  if (!one_of(value, set)) return path_error(path, "unknown {} \"{}\"", what, value);
  return {};
}

Result<void> check_absolute(std::string_view value, std::string_view path) {
  if (!value.starts_with('/')) return path_error(path, "must be an absolute path, got \"{}\"", value);
  return {};
}

// --- process ---------------------------------------------------------------

Result<User> parse_user(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  User user;
  TRY(o.get("uid", user.uid));
  TRY(o.get("gid", user.gid));
  TRY(o.get("umask", user.umask));
  if (const Json *gids = o.find("additionalGids")) {
    TRY(
        for_each_element(*gids, o.path_of("additionalGids"), [&](const Json &g, const std::string &p) -> Result<void> {
          user.additional_gids.push_back(TRY(to_integer<uint32_t>(g, p)));
          return {};
        }));
  }
  TRY(o.get("username", user.username));
  return user;
}

Result<Capabilities> parse_capabilities(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  Capabilities caps;
  TRY(o.get("bounding", caps.bounding));
  TRY(o.get("effective", caps.effective));
  TRY(o.get("inheritable", caps.inheritable));
  TRY(o.get("permitted", caps.permitted));
  TRY(o.get("ambient", caps.ambient));
  return caps;
}

Result<Rlimit> parse_rlimit(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  Rlimit r;
  TRY(o.get_required("type", r.type));
  TRY(check_one_of(r.type, kRlimits, o.path_of("type"), "rlimit type"));
  TRY(o.get_required("soft", r.soft));
  TRY(o.get_required("hard", r.hard));
  if (r.soft > r.hard) return path_error(o.path(), "soft limit {} is above hard limit {}", r.soft, r.hard);
  return r;
}

Result<Process> parse_process(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  Process p;
  TRY(o.get("terminal", p.terminal));
  if (const Json *cs = o.find("consoleSize")) {
    auto c = TRY(Object::open(*cs, o.path_of("consoleSize")));
    ConsoleSize size;
    TRY(c.get_required("height", size.height));
    TRY(c.get_required("width", size.width));
    p.console_size = size;
  }
  if (const Json *u = o.find("user")) p.user = TRY(parse_user(*u, o.path_of("user")));

  TRY(o.get_required("args", p.args));
  if (p.args.empty()) return path_error(o.path_of("args"), "must not be empty");
  TRY(o.get("commandLine", p.command_line));

  TRY(o.get("env", p.env));
  for (size_t i = 0; i < p.env.size(); ++i) {
    const std::string &e = p.env[i];
    auto eq = e.find('=');
    if (eq == std::string::npos || eq == 0)
      return path_error(index_path(o.path_of("env"), i), "must be in the form KEY=VALUE, got \"{}\"", e);
  }

  TRY(o.get_required("cwd", p.cwd));
  TRY(check_absolute(p.cwd, o.path_of("cwd")));

  if (const Json *c = o.find("capabilities")) p.capabilities = TRY(parse_capabilities(*c, o.path_of("capabilities")));

  if (const Json *rl = o.find("rlimits")) {
    std::set<std::string> seen;
    TRY(for_each_element(*rl, o.path_of("rlimits"), [&](const Json &e, const std::string &ep) -> Result<void> {
      Rlimit r = TRY(parse_rlimit(e, ep));
      if (!seen.insert(r.type).second)
        return path_error(child_path(ep, "type"), "duplicate rlimit type \"{}\"", r.type);
      p.rlimits.push_back(std::move(r));
      return {};
    }));
  }

  TRY(o.get("noNewPrivileges", p.no_new_privileges));
  TRY(o.get("apparmorProfile", p.apparmor_profile));
  TRY(o.get("oomScoreAdj", p.oom_score_adj));
  if (p.oom_score_adj && (*p.oom_score_adj < -1000 || *p.oom_score_adj > 1000))
    return path_error(o.path_of("oomScoreAdj"), "must be between -1000 and 1000, got {}", *p.oom_score_adj);
  TRY(o.get("selinuxLabel", p.selinux_label));

  if (const Json *io = o.find("ioPriority")) {
    auto c = TRY(Object::open(*io, o.path_of("ioPriority")));
    IoPriority prio;
    TRY(c.get_required("class", prio.klass));
    TRY(check_one_of(prio.klass, kIoPriorityClasses, c.path_of("class"), "I/O priority class"));
    TRY(c.get("priority", prio.priority));
    // The kernel keeps 3 bits of priority data per class.
    if (prio.priority < 0 || prio.priority > 7)
      return path_error(c.path_of("priority"), "must be between 0 and 7, got {}", prio.priority);
    p.io_priority = prio;
  }

  if (const Json *sj = o.find("scheduler")) {
    auto s = TRY(Object::open(*sj, o.path_of("scheduler")));
    Scheduler sched;
    TRY(s.get_required("policy", sched.policy));
    TRY(check_one_of(sched.policy, kSchedulerPolicies, s.path_of("policy"), "scheduler policy"));
    TRY(s.get("nice", sched.nice));
    if (sched.nice && (*sched.nice < -20 || *sched.nice > 19))
      return path_error(s.path_of("nice"), "must be between -20 and 19, got {}", *sched.nice);
    TRY(s.get("priority", sched.priority));
    TRY(s.get("flags", sched.flags));
    for (size_t i = 0; i < sched.flags.size(); ++i)
      TRY(check_one_of(sched.flags[i], kSchedulerFlags, index_path(s.path_of("flags"), i), "scheduler flag"));
    TRY(s.get("runtime", sched.runtime));
    TRY(s.get("deadline", sched.deadline));
    TRY(s.get("period", sched.period));
    p.scheduler = std::move(sched);
  }

  if (const Json *aj = o.find("execCPUAffinity")) {
    auto a = TRY(Object::open(*aj, o.path_of("execCPUAffinity")));
    CpuAffinity aff;
    TRY(a.get("initial", aff.initial));
    TRY(a.get("final", aff.final));
    for (auto [key, value] : {std::pair{"initial", &aff.initial}, std::pair{"final", &aff.final}}) {
      if (!std::ranges::all_of(*value,
                               [](char c) { return (c >= '0' && c <= '9') || c == ',' || c == '-' || c == ' '; }))
        return path_error(a.path_of(key), "invalid CPU list \"{}\"", *value);
    }
    p.exec_cpu_affinity = std::move(aff);
  }
  return p;
}

// --- mounts and hooks --------------------------------------------------------

Result<IdMapping> parse_id_mapping(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  IdMapping m;
  TRY(o.get_required("containerID", m.container_id));
  TRY(o.get_required("hostID", m.host_id));
  TRY(o.get_required("size", m.size));
  if (m.size == 0) return path_error(o.path_of("size"), "must be greater than 0");
  return m;
}

Result<std::vector<IdMapping>> parse_id_mappings(const Object &o, std::string_view key) {
  std::vector<IdMapping> out;
  if (const Json *j = o.find(key)) {
    TRY(for_each_element(*j, o.path_of(key), [&](const Json &e, const std::string &p) -> Result<void> {
      out.push_back(TRY(parse_id_mapping(e, p)));
      return {};
    }));
  }
  return out;
}

Result<Mount> parse_mount(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  Mount m;
  TRY(o.get_required("destination", m.destination));
  TRY(check_absolute(m.destination, o.path_of("destination")));
  TRY(o.get("type", m.type));
  TRY(o.get("source", m.source));
  TRY(o.get("options", m.options));
  m.uid_mappings = TRY(parse_id_mappings(o, "uidMappings"));
  m.gid_mappings = TRY(parse_id_mappings(o, "gidMappings"));
  // An idmapped mount needs both maps; one alone cannot be applied.
  if (m.uid_mappings.empty() != m.gid_mappings.empty())
    return path_error(o.path(), "uidMappings and gidMappings must be given together");
  return m;
}

Result<Hook> parse_hook(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  Hook h;
  TRY(o.get_required("path", h.path));
  TRY(check_absolute(h.path, o.path_of("path")));
  TRY(o.get("args", h.args));
  TRY(o.get("env", h.env));
  TRY(o.get("timeout", h.timeout));
  if (h.timeout && *h.timeout <= 0)
    return path_error(o.path_of("timeout"), "must be greater than 0, got {}", *h.timeout);
  return h;
}

Result<Hooks> parse_hooks(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  Hooks hooks;
  const std::pair<std::string_view, std::vector<Hook> *> lists[] = {
      {"prestart", &hooks.prestart},
      {"createRuntime", &hooks.create_runtime},
      {"createContainer", &hooks.create_container},
      {"startContainer", &hooks.start_container},
      {"poststart", &hooks.poststart},
      {"poststop", &hooks.poststop},
  };
  for (auto [key, list] : lists) {
    const Json *a = o.find(key);
    if (!a) continue;
    TRY(for_each_element(*a, o.path_of(key), [&](const Json &e, const std::string &p) -> Result<void> {
      list->push_back(TRY(parse_hook(e, p)));
      return {};
    }));
  }
  return hooks;
}

// --- linux: namespaces, devices ---------------------------------------------

Result<std::vector<Namespace>> parse_namespaces(const Json &j, const std::string &path) {
  std::vector<Namespace> out;
  TRY(for_each_element(j, path, [&](const Json &e, const std::string &p) -> Result<void> {
    auto o = TRY(Object::open(e, p));
    std::string type;
    TRY(o.get_required("type", type));
    auto t = namespace_type_from_name(type);
    if (!t) return path_error(o.path_of("type"), "unknown namespace type \"{}\"", type);
    if (std::ranges::any_of(out, [&](const Namespace &ns) { return ns.type == *t; }))
      return path_error(o.path_of("type"), "duplicate namespace type \"{}\"", type);
    Namespace ns{*t, {}};
    TRY(o.get("path", ns.path));
    if (!ns.path.empty()) TRY(check_absolute(ns.path, o.path_of("path")));
    out.push_back(std::move(ns));
    return {};
  }));
  return out;
}

Result<Device> parse_device(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  Device d;
  std::string type;
  TRY(o.get_required("type", type));
  if (type.size() != 1 || std::string_view("cbup").find(type[0]) == std::string_view::npos)
    return path_error(o.path_of("type"), "unknown device type \"{}\", expected one of c, b, u, p", type);
  d.type = type[0];
  TRY(o.get_required("path", d.path));
  TRY(check_absolute(d.path, o.path_of("path")));
  // A FIFO has no device number; every other node needs one.
  if (d.type == 'p') {
    TRY(o.get("major", d.major));
    TRY(o.get("minor", d.minor));
  } else {
    TRY(o.get_required("major", d.major));
    TRY(o.get_required("minor", d.minor));
  }
  if (d.major < 0) return path_error(o.path_of("major"), "must not be negative, got {}", d.major);
  if (d.minor < 0) return path_error(o.path_of("minor"), "must not be negative, got {}", d.minor);
  TRY(o.get("fileMode", d.file_mode));
  if (d.file_mode && *d.file_mode > 07777)
    return path_error(o.path_of("fileMode"), "must hold permission bits only (at most 07777), got {:#o}", *d.file_mode);
  TRY(o.get("uid", d.uid));
  TRY(o.get("gid", d.gid));
  return d;
}

Result<void> check_interface_name(std::string_view name, std::string_view path) {
  // IFNAMSIZ is 16 including the terminating NUL; the kernel refuses "/", ":"
  // and whitespace, and "." / ".." name directories in sysfs.
  bool bad_char = std::ranges::any_of(
      name, [](char c) { return c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)); });
  if (name.empty() || name.size() > 15 || name == "." || name == ".." || bad_char)
    return path_error(path, "invalid network interface name \"{}\"", name);
  return {};
}

// --- linux.resources ---------------------------------------------------------

Result<DeviceCgroupRule> parse_device_rule(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  DeviceCgroupRule r;
  TRY(o.get_required("allow", r.allow));
  TRY(o.get("type", r.type));
  if (!r.type.empty() && r.type != "a" && r.type != "c" && r.type != "b")
    return path_error(o.path_of("type"), "unknown device type \"{}\", expected one of a, c, b", r.type);
  TRY(o.get("major", r.major));
  TRY(o.get("minor", r.minor));
  TRY(o.get("access", r.access));
  if (!std::ranges::all_of(r.access, [](char c) { return c == 'r' || c == 'w' || c == 'm'; }))
    return path_error(o.path_of("access"), "invalid device access \"{}\", expected letters from \"rwm\"", r.access);
  return r;
}

// Memory sizes: bytes, with -1 meaning unlimited as the cgroup files accept it.
Result<void> get_memory_size(const Object &o, std::string_view key, std::optional<int64_t> &out) {
  TRY(o.get(key, out));
  if (out && *out < -1) return path_error(o.path_of(key), "must be -1 (unlimited) or a size in bytes, got {}", *out);
  return {};
}

Result<MemoryResources> parse_memory(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  MemoryResources m;
  TRY(get_memory_size(o, "limit", m.limit));
  TRY(get_memory_size(o, "reservation", m.reservation));
  TRY(get_memory_size(o, "swap", m.swap));
  TRY(get_memory_size(o, "kernel", m.kernel));
  TRY(get_memory_size(o, "kernelTCP", m.kernel_tcp));
  TRY(o.get("swappiness", m.swappiness));
  if (m.swappiness && *m.swappiness > 100)
    return path_error(o.path_of("swappiness"), "must be between 0 and 100, got {}", *m.swappiness);
  TRY(o.get("disableOOMKiller", m.disable_oom_killer));
  TRY(o.get("useHierarchy", m.use_hierarchy));
  TRY(o.get("checkBeforeUpdate", m.check_before_update));
  return m;
}

Result<CpuResources> parse_cpu(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  CpuResources c;
  TRY(o.get("shares", c.shares));
  TRY(o.get("quota", c.quota));
  TRY(o.get("burst", c.burst));
  TRY(o.get("period", c.period));
  TRY(o.get("realtimeRuntime", c.realtime_runtime));
  TRY(o.get("realtimePeriod", c.realtime_period));
  TRY(o.get("cpus", c.cpus));
  TRY(o.get("mems", c.mems));
  TRY(o.get("idle", c.idle));
  return c;
}

Result<ThrottleDevice> parse_throttle_device(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  ThrottleDevice d;
  TRY(o.get_required("major", d.major));
  TRY(o.get_required("minor", d.minor));
  TRY(o.get_required("rate", d.rate));
  return d;
}

Result<BlockIoResources> parse_block_io(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  BlockIoResources b;
  TRY(o.get("weight", b.weight));
  TRY(o.get("leafWeight", b.leaf_weight));
  if (const Json *wd = o.find("weightDevice")) {
    TRY(for_each_element(*wd, o.path_of("weightDevice"), [&](const Json &e, const std::string &p) -> Result<void> {
      auto d = TRY(Object::open(e, p));
      WeightDevice w;
      TRY(d.get_required("major", w.major));
      TRY(d.get_required("minor", w.minor));
      TRY(d.get("weight", w.weight));
      TRY(d.get("leafWeight", w.leaf_weight));
      b.weight_device.push_back(w);
      return {};
    }));
  }
  const std::pair<std::string_view, std::vector<ThrottleDevice> *> throttles[] = {
      {"throttleReadBpsDevice", &b.throttle_read_bps_device},
      {"throttleWriteBpsDevice", &b.throttle_write_bps_device},
      {"throttleReadIOPSDevice", &b.throttle_read_iops_device},
      {"throttleWriteIOPSDevice", &b.throttle_write_iops_device},
  };
  for (auto [key, list] : throttles) {
    const Json *a = o.find(key);
    if (!a) continue;
    TRY(for_each_element(*a, o.path_of(key), [&](const Json &e, const std::string &p) -> Result<void> {
      list->push_back(TRY(parse_throttle_device(e, p)));
      return {};
    }));
  }
  return b;
}

Result<HugepageLimit> parse_hugepage_limit(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  HugepageLimit h;
  TRY(o.get_required("pageSize", h.page_size));
  static const std::regex page_size(R"([1-9][0-9]*[KMGTP]?B)");
  if (!std::regex_match(h.page_size, page_size))
    return path_error(o.path_of("pageSize"), "invalid page size \"{}\", expected a size like \"2MB\"", h.page_size);
  TRY(o.get_required("limit", h.limit));
  return h;
}

Result<NetworkResources> parse_network(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  NetworkResources n;
  TRY(o.get("classID", n.class_id));
  if (const Json *pr = o.find("priorities")) {
    TRY(for_each_element(*pr, o.path_of("priorities"), [&](const Json &e, const std::string &p) -> Result<void> {
      auto po = TRY(Object::open(e, p));
      NetworkPriority prio;
      TRY(po.get_required("name", prio.name));
      TRY(po.get_required("priority", prio.priority));
      n.priorities.push_back(std::move(prio));
      return {};
    }));
  }
  return n;
}

Result<Resources> parse_resources(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  Resources r;
  if (const Json *d = o.find("devices")) {
    TRY(for_each_element(*d, o.path_of("devices"), [&](const Json &e, const std::string &p) -> Result<void> {
      r.devices.push_back(TRY(parse_device_rule(e, p)));
      return {};
    }));
  }
  if (const Json *m = o.find("memory")) r.memory = TRY(parse_memory(*m, o.path_of("memory")));
  if (const Json *c = o.find("cpu")) r.cpu = TRY(parse_cpu(*c, o.path_of("cpu")));
  if (const Json *pj = o.find("pids")) {
    auto p = TRY(Object::open(*pj, o.path_of("pids")));
    TRY(p.get("limit", r.pids_limit));
  }
  if (const Json *b = o.find("blockIO")) r.block_io = TRY(parse_block_io(*b, o.path_of("blockIO")));
  if (const Json *h = o.find("hugepageLimits")) {
    TRY(
        for_each_element(*h, o.path_of("hugepageLimits"), [&](const Json &e, const std::string &p) -> Result<void> {
          r.hugepage_limits.push_back(TRY(parse_hugepage_limit(e, p)));
          return {};
        }));
  }
  if (const Json *n = o.find("network")) r.network = TRY(parse_network(*n, o.path_of("network")));
  if (const Json *rd = o.find("rdma")) {
    TRY(for_each_member(*rd, o.path_of("rdma"),
                             [&](const std::string &dev, const Json &v, const std::string &p) -> Result<void> {
                               auto lo = TRY(Object::open(v, p));
                               RdmaLimit limit;
                               TRY(lo.get("hcaHandles", limit.hca_handles));
                               TRY(lo.get("hcaObjects", limit.hca_objects));
                               r.rdma[dev] = limit;
                               return {};
                             }));
  }
  TRY(o.get("unified", r.unified));
  return r;
}

// --- linux: seccomp and the rest ----------------------------------------------

Result<SeccompSyscall> parse_syscall(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  SeccompSyscall s;
  TRY(o.get_required("names", s.names));
  if (s.names.empty()) return path_error(o.path_of("names"), "must not be empty");
  TRY(o.get_required("action", s.action));
  TRY(check_one_of(s.action, kSeccompActions, o.path_of("action"), "seccomp action"));
  TRY(o.get("errnoRet", s.errno_ret));
  if (const Json *a = o.find("args")) {
    TRY(for_each_element(*a, o.path_of("args"), [&](const Json &e, const std::string &p) -> Result<void> {
      auto ao = TRY(Object::open(e, p));
      SeccompArg arg;
      TRY(ao.get_required("index", arg.index));
      // seccomp_data carries six syscall arguments.
      if (arg.index > 5) return path_error(ao.path_of("index"), "must be between 0 and 5, got {}", arg.index);
      TRY(ao.get_required("value", arg.value));
      TRY(ao.get("valueTwo", arg.value_two));
      TRY(ao.get_required("op", arg.op));
      TRY(check_one_of(arg.op, kSeccompOperators, ao.path_of("op"), "seccomp operator"));
      s.args.push_back(std::move(arg));
      return {};
    }));
  }
  return s;
}

Result<Seccomp> parse_seccomp(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  Seccomp s;
  TRY(o.get_required("defaultAction", s.default_action));
  TRY(check_one_of(s.default_action, kSeccompActions, o.path_of("defaultAction"), "seccomp action"));
  TRY(o.get("defaultErrnoRet", s.default_errno_ret));
  TRY(o.get("architectures", s.architectures));
  for (size_t i = 0; i < s.architectures.size(); ++i)
    if (!s.architectures[i].starts_with("SCMP_ARCH_"))
      return path_error(index_path(o.path_of("architectures"), i), "unknown seccomp architecture \"{}\"",
                        s.architectures[i]);
  TRY(o.get("flags", s.flags));
  for (size_t i = 0; i < s.flags.size(); ++i)
    TRY(check_one_of(s.flags[i], kSeccompFlags, index_path(o.path_of("flags"), i), "seccomp flag"));
  TRY(o.get("listenerPath", s.listener_path));
  if (!s.listener_path.empty()) TRY(check_absolute(s.listener_path, o.path_of("listenerPath")));
  TRY(o.get("listenerMetadata", s.listener_metadata));
  if (const Json *sc = o.find("syscalls")) {
    TRY(for_each_element(*sc, o.path_of("syscalls"), [&](const Json &e, const std::string &p) -> Result<void> {
      s.syscalls.push_back(TRY(parse_syscall(e, p)));
      return {};
    }));
  }
  bool notifies = s.default_action == "SCMP_ACT_NOTIFY" || std::ranges::any_of(s.syscalls, [](const SeccompSyscall &c) {
                    return c.action == "SCMP_ACT_NOTIFY";
                  });
  if (notifies && s.listener_path.empty())
    return path_error(o.path_of("listenerPath"), "required when an action is SCMP_ACT_NOTIFY");
  return s;
}

Result<IntelRdt> parse_intel_rdt(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  IntelRdt r;
  TRY(o.get("closID", r.clos_id));
  // closID names a directory under /sys/fs/resctrl.
  if (r.clos_id == "." || r.clos_id == ".." || r.clos_id.find('/') != std::string::npos)
    return path_error(o.path_of("closID"), "invalid CLOS id \"{}\"", r.clos_id);
  TRY(o.get("l3CacheSchema", r.l3_cache_schema));
  TRY(o.get("memBwSchema", r.mem_bw_schema));
  TRY(o.get("schemata", r.schemata));
  TRY(o.get("enableMonitoring", r.enable_monitoring));
  return r;
}

Result<Personality> parse_personality(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  Personality p;
  TRY(o.get_required("domain", p.domain));
  TRY(check_one_of(p.domain, kPersonalityDomains, o.path_of("domain"), "personality domain"));
  TRY(o.get("flags", p.flags));
  return p;
}

Result<MemoryPolicy> parse_memory_policy(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  MemoryPolicy m;
  TRY(o.get_required("mode", m.mode));
  TRY(check_one_of(m.mode, kMemoryPolicyModes, o.path_of("mode"), "memory policy mode"));
  TRY(o.get("nodes", m.nodes));
  TRY(o.get("flags", m.flags));
  for (size_t i = 0; i < m.flags.size(); ++i)
    TRY(check_one_of(m.flags[i], kMemoryPolicyFlags, index_path(o.path_of("flags"), i), "memory policy flag"));
  return m;
}

Result<Linux> parse_linux(const Json &j, std::string path) {
  auto o = TRY(Object::open(j, std::move(path)));
  Linux l;
  if (const Json *ns = o.find("namespaces")) l.namespaces = TRY(parse_namespaces(*ns, o.path_of("namespaces")));
  l.uid_mappings = TRY(parse_id_mappings(o, "uidMappings"));
  l.gid_mappings = TRY(parse_id_mappings(o, "gidMappings"));

  if (const Json *to = o.find("timeOffsets")) {
    TRY(for_each_member(*to, o.path_of("timeOffsets"),
                             [&](const std::string &clock, const Json &v, const std::string &p) -> Result<void> {
                               if (!one_of(clock, kTimeOffsetClocks))
                                 return path_error(p, "unknown clock \"{}\", expected monotonic or boottime", clock);
                               auto t = TRY(Object::open(v, p));
                               TimeOffset off;
                               TRY(t.get("secs", off.secs));
                               TRY(t.get("nanosecs", off.nanosecs));
                               if (off.nanosecs >= 1'000'000'000)
                                 return path_error(t.path_of("nanosecs"), "must be below 1000000000, got {}",
                                                   off.nanosecs);
                               l.time_offsets[clock] = off;
                               return {};
                             }));
  }

  if (const Json *d = o.find("devices")) {
    TRY(for_each_element(*d, o.path_of("devices"), [&](const Json &e, const std::string &p) -> Result<void> {
      l.devices.push_back(TRY(parse_device(e, p)));
      return {};
    }));
  }

  if (const Json *nd = o.find("netDevices")) {
    TRY(for_each_member(*nd, o.path_of("netDevices"),
                             [&](const std::string &host, const Json &v, const std::string &p) -> Result<void> {
                               TRY(check_interface_name(host, p));
                               auto n = TRY(Object::open(v, p));
                               NetDevice dev;
                               TRY(n.get("name", dev.name));
                               if (!dev.name.empty()) TRY(check_interface_name(dev.name, n.path_of("name")));
                               l.net_devices[host] = std::move(dev);
                               return {};
                             }));
  }

  TRY(o.get("cgroupsPath", l.cgroups_path));
  if (const Json *r = o.find("resources")) l.resources = TRY(parse_resources(*r, o.path_of("resources")));

  TRY(o.get("rootfsPropagation", l.rootfs_propagation));
  if (!l.rootfs_propagation.empty())
    TRY(check_one_of(l.rootfs_propagation, kPropagations, o.path_of("rootfsPropagation"), "rootfs propagation"));

  TRY(o.get("maskedPaths", l.masked_paths));
  for (size_t i = 0; i < l.masked_paths.size(); ++i)
    TRY(check_absolute(l.masked_paths[i], index_path(o.path_of("maskedPaths"), i)));
  TRY(o.get("readonlyPaths", l.readonly_paths));
  for (size_t i = 0; i < l.readonly_paths.size(); ++i)
    TRY(check_absolute(l.readonly_paths[i], index_path(o.path_of("readonlyPaths"), i)));

  TRY(o.get("mountLabel", l.mount_label));
  TRY(o.get("sysctl", l.sysctl));
  if (const Json *s = o.find("seccomp")) l.seccomp = TRY(parse_seccomp(*s, o.path_of("seccomp")));
  if (const Json *r = o.find("intelRdt")) l.intel_rdt = TRY(parse_intel_rdt(*r, o.path_of("intelRdt")));
  if (const Json *p = o.find("personality")) l.personality = TRY(parse_personality(*p, o.path_of("personality")));
  if (const Json *m = o.find("memoryPolicy")) l.memory_policy = TRY(parse_memory_policy(*m, o.path_of("memoryPolicy")));
  return l;
}

// --- checks across sections ---------------------------------------------------

Result<void> check_linux(const Spec &spec) {
  const Linux &l = *spec.linux;
  const Namespace *user = l.find_namespace(NamespaceType::User);
  // Mappings only mean something for a user namespace berth creates; without
  // one they would be silently dropped. A user namespace without mappings is
  // fine: it is joined by path, or the rootless setup fills them in.
  if (!user) {
    if (!l.uid_mappings.empty())
      return path_error("linux.uidMappings", "requires a user namespace in linux.namespaces");
    if (!l.gid_mappings.empty())
      return path_error("linux.gidMappings", "requires a user namespace in linux.namespaces");
  }
  if (!l.time_offsets.empty()) {
    const Namespace *time = l.find_namespace(NamespaceType::Time);
    if (!time) return path_error("linux.timeOffsets", "requires a time namespace in linux.namespaces");
    // The spec forbids configuring a namespace that is joined rather than made.
    if (!time->path.empty())
      return path_error("linux.timeOffsets", "cannot be set when joining an existing time namespace ({})", time->path);
  }
  if (!l.net_devices.empty() && !l.find_namespace(NamespaceType::Network))
    return path_error("linux.netDevices", "requires a network namespace in linux.namespaces");
  if (!spec.hostname.empty() && !l.find_namespace(NamespaceType::Uts))
    return path_error("hostname", "requires a UTS namespace in linux.namespaces");
  if (!spec.domainname.empty() && !l.find_namespace(NamespaceType::Uts))
    return path_error("domainname", "requires a UTS namespace in linux.namespaces");
  return {};
}

// nlohmann reports the byte offset of the error; users want line and column.
std::string json_syntax_error(std::string_view text, const nlohmann::json::parse_error &e) {
  size_t end = std::min<size_t>(e.byte == 0 ? 0 : e.byte - 1, text.size());
  size_t line = 1, column = 1;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  // what() reads "[json.exception.parse_error.101] parse error at line 3, column 5: <detail>".
  std::string_view what = e.what();
  std::string_view detail = what;
  if (auto pos = what.find("parse error"); pos != std::string_view::npos) {
    detail = what.substr(pos);
    if (auto colon = detail.find(": "); colon != std::string_view::npos) detail = detail.substr(colon + 2);
  }
  // The detail quotes the input it choked on, which may be any bytes; keep the
  // message printable and valid UTF-8 for terminals and JSON logs.
  std::string printable;
  for (unsigned char c : detail) {
    if (c < 0x20 || c >= 0x7f)
      printable += fmt::format("\\x{:02x}", c);
    else
      printable += static_cast<char>(c);
  }
  return fmt::format("invalid JSON at line {}, column {}: {}", line, column, printable);
}

Result<Spec> parse_document(const Json &doc);

}  // namespace

std::string_view namespace_type_name(NamespaceType t) {
  for (auto [type, name] : kNamespaceNames)
    if (type == t) return name;
  return "unknown";
}

std::optional<NamespaceType> namespace_type_from_name(std::string_view name) {
  for (auto [type, n] : kNamespaceNames)
    if (n == name) return type;
  return std::nullopt;
}

Result<Spec> parse_spec(std::string_view json_text) {
  Json doc;
  try {
    doc = Json::parse(json_text.begin(), json_text.end());
  } catch (const nlohmann::json::parse_error &e) {
    return make_error("{}", json_syntax_error(json_text, e));
  } catch (const nlohmann::json::exception &e) {
    return make_error("invalid JSON: {}", e.what());
  }
  if (!doc.is_object()) return make_error("invalid config: expected a JSON object at the top level");
  // Every access checks the type first, so nlohmann should never throw here;
  // if it does, it must still not escape the parser.
  try {
    return parse_document(doc);
  } catch (const nlohmann::json::exception &e) {
    return make_error("invalid config: {}", e.what());
  }
}

namespace {

Result<Spec> parse_document(const Json &doc) {
  auto o = TRY(Object::open(doc, ""));
  Spec spec;
  TRY(o.get_required("ociVersion", spec.oci_version));
  // Only major version 1 of the runtime-spec exists; any 1.x config is read,
  // as runc does, and fields from later minors are ignored if unknown.
  if (!spec.oci_version.starts_with("1."))
    return path_error("ociVersion", "unsupported version \"{}\", expected 1.x", spec.oci_version);

  if (const Json *r = o.find("root")) {
    auto ro = TRY(Object::open(*r, "root"));
    Root root;
    TRY(ro.get_required("path", root.path));
    if (root.path.empty()) return path_error("root.path", "must not be empty");
    TRY(ro.get("readonly", root.readonly));
    spec.root = std::move(root);
  }
  if (const Json *p = o.find("process")) spec.process = TRY(parse_process(*p, "process"));
  TRY(o.get("hostname", spec.hostname));
  TRY(o.get("domainname", spec.domainname));
  if (const Json *m = o.find("mounts")) {
    TRY(for_each_element(*m, "mounts", [&](const Json &e, const std::string &p) -> Result<void> {
      spec.mounts.push_back(TRY(parse_mount(e, p)));
      return {};
    }));
  }
  if (const Json *h = o.find("hooks")) spec.hooks = TRY(parse_hooks(*h, "hooks"));
  TRY(o.get("annotations", spec.annotations));
  for (const auto &[key, value] : spec.annotations)
    if (key.empty()) return path_error("annotations", "keys must not be empty");
  if (const Json *l = o.find("linux")) spec.linux = TRY(parse_linux(*l, "linux"));
  if (spec.linux) TRY(check_linux(spec));
  return spec;
}

}  // namespace

Result<Spec> load_spec(const std::string &path) {
  std::string text = TRY(read_file(path));
  auto slash = path.rfind('/');
  std::string base = slash == std::string::npos ? path : path.substr(slash + 1);
  return TRY_CTX(parse_spec(text), base);
}

}  // namespace berth
