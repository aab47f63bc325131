#include "libcontainer/features.h"

#include "libcontainer/hooks.h"
#include "libcontainer/lsm.h"

#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "libcontainer/capabilities.h"
#include "libcontainer/checkpoint.h"
#include "libcontainer/file_util.h"
#include "libcontainer/intel_rdt.h"
#include "libcontainer/mount_options.h"
#include "libcontainer/namespaces.h"
#include "libcontainer/seccomp.h"
#include "libcontainer/spec_parser.h"

#ifdef HAVE_LIBSECCOMP
#include <seccomp.h>
#endif

namespace berth {

namespace {

// The spec's version range berth reads (any 1.x config is parsed; the model is 1.3's).
constexpr const char *kOciVersionMin = "1.0.0";
constexpr const char *kOciVersionMax = "1.3.0";

nlohmann::ordered_json mount_options_json() {
  auto out = nlohmann::ordered_json::array();
  for (const auto &o : known_mount_options()) {
    // Known but refused, or accepted without doing anything: not supported.
    if (o.kind == MountOptionKind::Unsupported || o.name == "tmpcopyup") continue;
    out.push_back(o.name);
  }
  return out;
}

bool mount_option_supported(std::string_view name) {
  for (const auto &o : known_mount_options())
    if (o.name == name) return o.kind != MountOptionKind::Unsupported;
  return false;
}

nlohmann::ordered_json namespaces_json() {
  auto out = nlohmann::ordered_json::array();
  for (NamespaceType t : {NamespaceType::Cgroup, NamespaceType::Ipc, NamespaceType::Mount, NamespaceType::Network,
                          NamespaceType::Pid, NamespaceType::Time, NamespaceType::User, NamespaceType::Uts}) {
    // A kernel built without a namespace kind has no /proc/self/ns entry for it.
    if (::access(fmt::format("/proc/self/ns/{}", namespace_proc_name(t)).c_str(), F_OK) == 0)
      out.push_back(namespace_type_name(t));
  }
  return out;
}

nlohmann::ordered_json capabilities_json() {
  auto out = nlohmann::ordered_json::array();
  int last = kernel_last_cap();
  for (const auto &name : capability_names()) {
    auto n = capability_from_name(name);
    if (n && *n <= last) out.push_back(name);
  }
  return out;
}

nlohmann::ordered_json seccomp_json() {
  nlohmann::ordered_json s;
  s["enabled"] = seccomp_available();
  if (!seccomp_available()) return s;
  s["actions"] = seccomp_action_names();
  s["operators"] = seccomp_operator_names();
  s["archs"] = seccomp_architecture_names();
  s["knownFlags"] = seccomp_flag_names();
  s["supportedFlags"] = seccomp_supported_flags();
  return s;
}

}  // namespace

nlohmann::ordered_json features_json() {
  nlohmann::ordered_json j;
  j["ociVersionMin"] = kOciVersionMin;
  j["ociVersionMax"] = kOciVersionMax;
  auto hooks = nlohmann::ordered_json::array();
  // The same table the hook runner uses, so the two cannot drift.
  for (const auto &h : hook_kinds()) hooks.push_back(h.name);
  j["hooks"] = hooks;
  j["mountOptions"] = mount_options_json();

  nlohmann::ordered_json linux;
  linux["namespaces"] = namespaces_json();
  linux["capabilities"] = capabilities_json();
  // The cgroupfs managers for both versions are built in; the systemd driver
  // and the rdma controller are not yet.
  linux["cgroup"] = {{"v1", true}, {"v2", true}, {"systemd", false}, {"systemdUser", false}, {"rdma", false}};
  linux["seccomp"] = seccomp_json();
  // As runc: what the host's LSMs allow (the init and exec apply both labels).
  linux["apparmor"] = {{"enabled", apparmor_enabled()}};
  linux["selinux"] = {{"enabled", selinux_enabled()}};
  // As runc: on when resctrl is mounted; schemata[] and enableMonitoring are handled.
  linux["intelRdt"] = {{"enabled", intel_rdt_available()}, {"schemata", true}, {"monitoring", true}};
  linux["mountExtensions"] = {{"idmap", {{"enabled", mount_option_supported("idmap")}}}};
  j["linux"] = linux;

  nlohmann::ordered_json annotations;
  annotations["org.opencontainers.runc.checkpoint.enabled"] = checkpoint_supported() ? "true" : "false";
#ifdef HAVE_LIBSECCOMP
  const scmp_version *v = seccomp_version();
  annotations["io.github.seccomp.libseccomp.version"] = fmt::format("{}.{}.{}", v->major, v->minor, v->micro);
#endif
  annotations["io.github.berth.version"] = PACKAGE_VERSION;
  j["annotations"] = annotations;
  return j;
}

}  // namespace berth
