// cgroupsPath, sysctls and rlimits of crid's config.json files.
#include "crid/linux_spec.h"

#include <linux/magic.h>
#include <sys/resource.h>
#include <sys/vfs.h>

#include <algorithm>

namespace berth::crid::spec {

namespace {

enum class SysctlNamespace { None, Ipc, Net };

// The same list as the kubelet's and runc's: what the IPC and network
// namespaces make private to a pod.
SysctlNamespace sysctl_namespace(std::string_view key) {
  static const char *const ipc[] = {"kernel.sem", "kernel.shmall", "kernel.shmmax", "kernel.shmmni",
                                    "kernel.shm_rmid_forced", "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni"};
  if (std::any_of(std::begin(ipc), std::end(ipc), [&](const char *k) { return key == k; })) return SysctlNamespace::Ipc;
  if (key.starts_with("fs.mqueue.")) return SysctlNamespace::Ipc;
  if (key.starts_with("net.")) return SysctlNamespace::Net;
  return SysctlNamespace::None;
}

}  // namespace

std::string cgroups_path(const std::string &cgroup_parent, const std::string &id, const SpecOptions &options) {
  if (options.systemd_cgroup)
    return fmt::format("{}:crid:{}", cgroup_parent.empty() ? "system.slice" : cgroup_parent, id);
  std::string parent = cgroup_parent.empty() ? "/crid" : cgroup_parent;
  if (parent.front() != '/') parent = "/" + parent;
  while (parent.size() > 1 && parent.back() == '/') parent.pop_back();
  return fmt::format("{}/crid-{}", parent == "/" ? "" : parent, id);
}

Result<nlohmann::json> sysctls_json(const google::protobuf::Map<std::string, std::string> &sysctls,
                                    bool host_network, bool host_ipc, std::string_view field) {
  nlohmann::json out = nlohmann::json::object();
  for (const auto &[raw_key, value] : sysctls) {
    // The kubelet also accepts the slash form (net/ipv4/ip_forward).
    std::string key = raw_key;
    if (key.find('/') != std::string::npos && key.find('.') == std::string::npos)
      std::replace(key.begin(), key.end(), '/', '.');
    switch (sysctl_namespace(key)) {
      case SysctlNamespace::None:
        return make_error("{}[\"{}\"]: not a namespaced sysctl; setting it would change the host", field, raw_key);
      case SysctlNamespace::Ipc:
        if (host_ipc) return make_error("{}[\"{}\"]: not allowed with the host's IPC namespace", field, raw_key);
        break;
      case SysctlNamespace::Net:
        if (host_network)
          return make_error("{}[\"{}\"]: not allowed with the host's network namespace", field, raw_key);
        break;
    }
    out[key] = value;
  }
  return out;
}

nlohmann::json default_rlimits() {
  uint64_t limit = 1024;
  struct rlimit own {};
  if (::getrlimit(RLIMIT_NOFILE, &own) == 0 && own.rlim_max != RLIM_INFINITY && own.rlim_max < limit)
    limit = own.rlim_max;
  return nlohmann::json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", limit}, {"soft", limit}}});
}

bool cgroup_v2_unified() {
  static const bool unified = [] {
    struct statfs fs {};
    return ::statfs("/sys/fs/cgroup", &fs) == 0 && fs.f_type == CGROUP2_SUPER_MAGIC;
  }();
  return unified;
}

}  // namespace berth::crid::spec
