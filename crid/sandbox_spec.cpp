// build_sandbox_spec: the pod's infra container. It holds the pod's
// namespaces and does nothing else, so it gets as little as will run it: an
// empty read-only rootfs with crid's static pause binary bound in, no
// capabilities, no new privileges.
#include <algorithm>

#include "crid/container_spec.h"
#include "crid/linux_spec.h"
#include "crid/mounts_spec.h"
#include "crid/security_spec.h"
#include "libcontainer/spec_parser.h"

namespace berth::crid {

namespace {

using Json = nlohmann::json;

// containerd's: the kubelet asks -998 for sandboxes so the OOM killer takes
// them last; shares 2 is cgroup v1's minimum, pause needs no CPU.
constexpr int kSandboxOomScoreAdj = -998;
constexpr uint64_t kSandboxCpuShares = 2;

}  // namespace

Result<Json> build_sandbox_spec(const runtime::v1::PodSandboxConfig &config, const SandboxContext &sandbox,
                                const std::string &infra_rootfs, const std::string &infra_binary,
                                const SpecOptions &options) {
  if (!config.has_metadata() || config.metadata().name().empty()) return make_error("config.metadata.name: missing");
  if (infra_rootfs.empty() || infra_rootfs.front() != '/')
    return make_error("infra rootfs \"{}\": expected an absolute path", infra_rootfs);
  if (infra_binary.empty() || infra_binary.front() != '/')
    return make_error("infra binary \"{}\": expected an absolute path", infra_binary);
  const auto &sc = config.linux().security_context();
  const std::string field = "config.linux.security_context";
  const bool privileged = sc.privileged();

  Json spec = default_spec(false);
  spec["root"] = {{"path", infra_rootfs}, {"readonly", true}};

  Json &process = spec["process"];
  process["args"] = Json::array({"/pause"});
  process["terminal"] = false;
  process["cwd"] = "/";
  process["env"] = Json::array({spec::kDefaultPath});
  // The rootfs has no /etc/passwd, so only numeric ids make sense here.
  Json user{{"uid", 0}, {"gid", 0}};
  if (sc.has_run_as_user()) {
    if (sc.run_as_user().value() < 0 || sc.run_as_user().value() >= UINT32_MAX)
      return make_error("{}.run_as_user: {} is not a valid uid", field, sc.run_as_user().value());
    user["uid"] = sc.run_as_user().value();
  }
  if (sc.has_run_as_group()) {
    if (sc.run_as_group().value() < 0 || sc.run_as_group().value() >= UINT32_MAX)
      return make_error("{}.run_as_group: {} is not a valid gid", field, sc.run_as_group().value());
    user["gid"] = sc.run_as_group().value();
  }
  std::vector<uint32_t> groups;
  for (int i = 0; i < sc.supplemental_groups_size(); ++i) {
    int64_t g = sc.supplemental_groups(i);
    if (g < 0 || g >= UINT32_MAX) return make_error("{}.supplemental_groups[{}]: {} is not a valid gid", field, i, g);
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) groups.push_back(static_cast<uint32_t>(g));
  }
  if (!groups.empty()) user["additionalGids"] = groups;
  process["user"] = std::move(user);
  process["capabilities"] = {{"bounding", Json::array()}, {"effective", Json::array()}, {"permitted", Json::array()}};
  process["noNewPrivileges"] = true;
  process["rlimits"] = spec::default_rlimits();
  process["oomScoreAdj"] = spec::oom_score_adj(kSandboxOomScoreAdj, options);
  if (!privileged) {
    std::string apparmor = TRY(spec::apparmor_profile(sc.has_apparmor(), sc.apparmor(), "", field + ".apparmor"));
    if (!apparmor.empty()) process["apparmorProfile"] = apparmor;
  }
  auto labels = spec::selinux_labels(sc.has_selinux_options(), sc.selinux_options());
  if (!labels.process.empty()) process["selinuxLabel"] = labels.process;

  // The pause process reads no cgroup files, so the cgroup mount is left out.
  Json mounts = Json::array();
  for (auto &m : spec::default_mounts(privileged, false)) {
    if (m["destination"] == "/dev/shm" && !sandbox.shm_path.empty())
      m = spec::bind_mount(sandbox.shm_path, "/dev/shm", {"rbind", "ro", "nosuid", "nodev", "noexec"});
    mounts.push_back(std::move(m));
  }
  mounts.push_back(spec::bind_mount(infra_binary, "/pause", {"rbind", "ro", "nosuid", "nodev"}));
  spec["mounts"] = std::move(mounts);

  const auto &ns_options = sc.namespace_options();
  using runtime::v1::NamespaceMode;
  const bool host_network = sandbox.host_network || ns_options.network() == NamespaceMode::NODE;
  const bool host_ipc = sandbox.host_ipc || ns_options.ipc() == NamespaceMode::NODE;
  const bool host_pid = sandbox.host_pid || ns_options.pid() == NamespaceMode::NODE;
  if (ns_options.has_userns_options() && ns_options.userns_options().mode() != NamespaceMode::NODE)
    return make_error("{}.namespace_options.userns_options.mode: user namespaces are not supported yet", field);

  Json &linux = spec["linux"];
  // pause is pid 1 of the pod's pid namespace whether or not containers share it.
  Json ns = Json::array({{{"type", "mount"}}});
  if (!host_pid) ns.push_back({{"type", "pid"}});
  if (!host_ipc) ns.push_back({{"type", "ipc"}});
  if (!host_network) {
    ns.push_back({{"type", "uts"}});
    if (sandbox.netns_path.empty())
      ns.push_back({{"type", "network"}});
    else
      ns.push_back({{"type", "network"}, {"path", sandbox.netns_path}});
  }
  if (spec::cgroup_v2_unified() && !privileged) ns.push_back({{"type", "cgroup"}});
  linux["namespaces"] = std::move(ns);
  // With the host's UTS namespace the hostname is the host's: never set it.
  if (host_network)
    spec.erase("hostname");
  else
    spec["hostname"] = !config.hostname().empty() ? config.hostname() : sandbox.hostname;
  if (spec.contains("hostname") && spec["hostname"].get<std::string>().empty()) spec.erase("hostname");

  Json sysctls = TRY(spec::sysctls_json(config.linux().sysctls(), host_network, host_ipc, "config.linux.sysctls"));
  if (!sysctls.empty()) linux["sysctl"] = std::move(sysctls);
  linux["cgroupsPath"] = spec::cgroups_path(sandbox.cgroup_parent, sandbox.id, options);
  linux["resources"] = {{"devices", spec::base_device_rules()}, {"cpu", {{"shares", kSandboxCpuShares}}}};

  if (privileged) {
    linux.erase("maskedPaths");
    linux.erase("readonlyPaths");
  } else {
    linux["maskedPaths"] = spec::default_masked_paths();
    linux["readonlyPaths"] = spec::default_readonly_paths();
    Json seccomp = TRY(spec::seccomp_json(sc.has_seccomp(), sc.seccomp(), spec::deprecated_seccomp_path(sc), options, {},
                                          field + ".seccomp"));
    if (!seccomp.is_null()) linux["seccomp"] = std::move(seccomp);
  }
  if (!labels.mount.empty()) linux["mountLabel"] = labels.mount;

  Json annotations = Json::object();
  for (const auto &[k, v] : config.annotations()) annotations[k] = v;
  const auto &meta = config.metadata();
  annotations["io.kubernetes.cri.container-type"] = "sandbox";
  annotations["io.kubernetes.cri.sandbox-id"] = sandbox.id;
  annotations["io.kubernetes.cri.sandbox-name"] = meta.name();
  annotations["io.kubernetes.cri.sandbox-namespace"] = meta.namespace_();
  annotations["io.kubernetes.cri.sandbox-uid"] = meta.uid();
  if (!config.log_directory().empty()) annotations["io.kubernetes.cri.sandbox-log-directory"] = config.log_directory();
  spec["annotations"] = std::move(annotations);

  if (auto parsed = parse_spec(spec.dump()); !parsed)
    return std::unexpected(parsed.error().context(fmt::format("config.json for sandbox {}", sandbox.id)));
  return spec;
}

}  // namespace berth::crid
