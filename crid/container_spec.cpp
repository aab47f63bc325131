// build_container_spec: a CRI CreateContainer request -> config.json, with
// what containerd's CRI plugin puts there (pkg/cri/server/container_create_linux.go)
// where the two could differ.
#include "crid/container_spec.h"

#include <unistd.h>

#include <algorithm>

#include "crid/linux_spec.h"
#include "crid/mounts_spec.h"
#include "crid/security_spec.h"
#include "libcontainer/spec_parser.h"

namespace berth::crid {

namespace {

using Json = nlohmann::json;
using runtime::v1::NamespaceMode;

std::string env_key(const std::string &kv) { return kv.substr(0, kv.find('=')); }

// Later values replace earlier ones of the same key in place (containerd's
// replaceOrAppendEnvValues), so PATH keeps its place when the image sets it.
void set_env(std::vector<std::string> &env, const std::string &kv) {
  const std::string key = env_key(kv);
  for (auto &e : env)
    if (env_key(e) == key) {
      e = kv;
      return;
    }
  env.push_back(kv);
}

// Kubernetes' rules (from Docker): command replaces the entrypoint, and then
// the image's cmd is dropped too; args alone replace cmd.
Result<std::vector<std::string>> process_args(const runtime::v1::ContainerConfig &config,
                                              const images::ImageConfig &image) {
  std::vector<std::string> command(config.command().begin(), config.command().end());
  std::vector<std::string> args(config.args().begin(), config.args().end());
  if (command.empty()) {
    if (args.empty()) args = image.cmd;
    // Docker writes [""] for an entrypoint reset with --entrypoint "".
    if (!(image.entrypoint.size() == 1 && image.entrypoint[0].empty())) command = image.entrypoint;
  }
  command.insert(command.end(), args.begin(), args.end());
  if (command.empty())
    return make_error("config.command: none given, and the image has neither an entrypoint nor a cmd");
  return command;
}

struct UserPlan {
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> additional_gids;
};

Result<UserPlan> process_user(const runtime::v1::LinuxContainerSecurityContext &sc, const images::ImageConfig &image,
                              const std::string &rootfs) {
  const std::string field = "config.linux.security_context";
  std::string user;
  if (sc.has_run_as_user()) {
    if (sc.run_as_user().value() < 0 || sc.run_as_user().value() >= UINT32_MAX)
      return make_error("{}.run_as_user: {} is not a valid uid", field, sc.run_as_user().value());
    user = std::to_string(sc.run_as_user().value());
  } else if (!sc.run_as_username().empty()) {
    if (sc.run_as_username().find(':') != std::string::npos)
      return make_error("{}.run_as_username: \"{}\": a user name, without a group", field, sc.run_as_username());
    user = sc.run_as_username();
  } else {
    user = image.user;
  }
  if (sc.has_run_as_group()) {
    if (sc.run_as_group().value() < 0 || sc.run_as_group().value() >= UINT32_MAX)
      return make_error("{}.run_as_group: {} is not a valid gid", field, sc.run_as_group().value());
    if (user.empty())
      return make_error("{}.run_as_group: a group without a user (neither run_as_user, run_as_username nor the "
                        "image's User is set)",
                        field);
    // The group replaces any group the image's "user:group" named.
    user = user.substr(0, user.find(':')) + ":" + std::to_string(sc.run_as_group().value());
  }
  auto resolved = resolve_user(rootfs, user);
  if (!resolved) {
    const char *which = sc.has_run_as_user()         ? "run_as_user"
                        : !sc.run_as_username().empty() ? "run_as_username"
                                                      : nullptr;
    if (which) return std::unexpected(resolved.error().context(fmt::format("{}.{}", field, which)));
    return std::unexpected(resolved.error().context("image config User"));
  }
  UserPlan plan{resolved->uid, resolved->gid, {}};
  if (sc.supplemental_groups_policy() != runtime::v1::SupplementalGroupsPolicy::Strict)
    plan.additional_gids = resolved->additional_gids;
  for (int i = 0; i < sc.supplemental_groups_size(); ++i) {
    int64_t g = sc.supplemental_groups(i);
    if (g < 0 || g >= UINT32_MAX)
      return make_error("{}.supplemental_groups[{}]: {} is not a valid gid", field, i, g);
    if (std::find(plan.additional_gids.begin(), plan.additional_gids.end(), g) == plan.additional_gids.end())
      plan.additional_gids.push_back(static_cast<uint32_t>(g));
  }
  return plan;
}

Result<Json> container_namespaces(const runtime::v1::LinuxContainerSecurityContext &sc, const SandboxContext &sandbox,
                                  bool privileged) {
  const std::string field = "config.linux.security_context.namespace_options";
  if (!sandbox.host_network || !sandbox.host_ipc || !sandbox.host_pid) {
    if (sandbox.infra_pid <= 0) return make_error("sandbox {}: no infra process to join the namespaces of", sandbox.id);
  }
  auto ns_of = [&](const char *kind) { return fmt::format("/proc/{}/ns/{}", sandbox.infra_pid, kind); };
  Json ns = Json::array({{{"type", "mount"}}});
  if (!sandbox.host_network) {
    ns.push_back({{"type", "network"}, {"path", sandbox.netns_path.empty() ? ns_of("net") : sandbox.netns_path}});
    // The pod's hostname lives in its UTS namespace, which follows the network's.
    ns.push_back({{"type", "uts"}, {"path", ns_of("uts")}});
  }
  if (!sandbox.host_ipc) ns.push_back({{"type", "ipc"}, {"path", ns_of("ipc")}});

  NamespaceMode pid = sandbox.host_pid ? NamespaceMode::NODE : sandbox.pod_pid ? NamespaceMode::POD : NamespaceMode::CONTAINER;
  if (sc.has_namespace_options()) {
    const auto &o = sc.namespace_options();
    pid = o.pid();
    if (o.has_userns_options() && o.userns_options().mode() != NamespaceMode::NODE)
      return make_error("{}.userns_options.mode: user namespaces are not supported yet", field);
  }
  switch (pid) {
    case NamespaceMode::NODE: break;
    case NamespaceMode::POD:
      if (sandbox.host_pid) break;  // the pod's pid namespace is the host's
      ns.push_back({{"type", "pid"}, {"path", ns_of("pid")}});
      break;
    case NamespaceMode::CONTAINER: ns.push_back({{"type", "pid"}}); break;
    case NamespaceMode::TARGET: return make_error("{}.pid: TARGET is not supported yet", field);
    default: return make_error("{}.pid: unknown mode {}", field, static_cast<int>(pid));
  }
  // On cgroup v1 (and hybrid) hosts containerd leaves the cgroup namespace
  // alone, so /proc/self/cgroup shows host paths as it always has there.
  if (spec::cgroup_v2_unified() && !privileged) ns.push_back({{"type", "cgroup"}});
  return ns;
}

}  // namespace

Result<Json> build_container_spec(const runtime::v1::ContainerConfig &config,
                                  const runtime::v1::PodSandboxConfig &sandbox_config, const SandboxContext &sandbox,
                                  const images::ImageConfig &image, const std::string &container_id,
                                  const std::string &rootfs, const SpecOptions &options) {
  if (!config.has_metadata() || config.metadata().name().empty())
    return make_error("config.metadata.name: missing");
  if (rootfs.empty() || rootfs.front() != '/') return make_error("rootfs \"{}\": expected an absolute path", rootfs);
  const auto &sc = config.linux().security_context();
  const bool privileged = sc.privileged();
  if (privileged && !sandbox_config.linux().security_context().privileged())
    return make_error("config.linux.security_context.privileged: the pod sandbox is not privileged");

  Json spec = default_spec(false);
  spec.erase("hostname");  // the container joins the pod's UTS namespace; its hostname is the pod's
  spec["root"] = {{"path", rootfs}, {"readonly", sc.readonly_rootfs()}};

  // process
  Json &process = spec["process"];
  process["args"] = TRY(process_args(config, image));
  process["terminal"] = config.tty();
  std::string cwd = !config.working_dir().empty() ? config.working_dir()
                    : !image.working_dir.empty()  ? image.working_dir
                                                  : "/";
  if (cwd.front() != '/')
    return make_error("{}: \"{}\": expected an absolute path",
                      config.working_dir().empty() ? "image config WorkingDir" : "config.working_dir", cwd);
  process["cwd"] = cwd;

  std::string hostname = sandbox.hostname;
  if (hostname.empty() && sandbox.host_network) {
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) == 0) hostname = buf;
  }
  std::vector<std::string> env = {spec::kDefaultPath, "HOSTNAME=" + hostname};
  if (config.tty()) env.push_back("TERM=xterm");
  for (const auto &e : image.env) set_env(env, e);
  for (int i = 0; i < config.envs_size(); ++i) {
    const auto &kv = config.envs(i);
    if (kv.key().empty() || kv.key().find('=') != std::string::npos)
      return make_error("config.envs[{}].key: \"{}\": expected a name without '='", i, kv.key());
    set_env(env, kv.key() + "=" + kv.value());
  }
  process["env"] = env;

  UserPlan user = TRY(process_user(sc, image, rootfs));
  process["user"] = {{"uid", user.uid}, {"gid", user.gid}};
  if (!user.additional_gids.empty()) process["user"]["additionalGids"] = user.additional_gids;

  Json caps = TRY(spec::capabilities_json(sc.capabilities(), privileged, "config.linux.security_context.capabilities"));
  process["capabilities"] = caps;
  process["noNewPrivileges"] = sc.no_new_privs();
  process["rlimits"] = spec::default_rlimits();
  process["oomScoreAdj"] = spec::oom_score_adj(config.linux().resources().oom_score_adj(), options);
  if (!privileged) {
    std::string apparmor = TRY(spec::apparmor_profile(sc.has_apparmor(), sc.apparmor(), spec::deprecated_apparmor_profile(sc),
                                                      "config.linux.security_context.apparmor"));
    if (!apparmor.empty()) process["apparmorProfile"] = apparmor;
  }
  auto labels = spec::selinux_labels(sc.has_selinux_options(), sc.selinux_options());
  if (!labels.process.empty()) process["selinuxLabel"] = labels.process;

  // mounts
  auto mounts = TRY(spec::container_mounts(config, sandbox, privileged, sc.readonly_rootfs()));
  spec["mounts"] = std::move(mounts.mounts);

  // linux
  Json &linux = spec["linux"];
  if (!mounts.rootfs_propagation.empty()) linux["rootfsPropagation"] = mounts.rootfs_propagation;
  if (!labels.mount.empty()) linux["mountLabel"] = labels.mount;
  linux["namespaces"] = TRY(container_namespaces(sc, sandbox, privileged));
  linux["cgroupsPath"] = spec::cgroups_path(sandbox.cgroup_parent, container_id, options);

  Json resources = linux_resources_json(config.linux().resources());
  spec::DevicePlan devices = privileged ? spec::host_devices() : spec::DevicePlan{};
  if (!privileged) {
    devices.rules = spec::base_device_rules();
  }
  // CRI devices also in privileged containers: a container path different
  // from the host's is a node the host walk did not create.
  spec::DevicePlan requested = TRY(spec::container_devices(config));
  for (auto &d : requested.devices) {
    Json kept = Json::array();
    for (auto &e : devices.devices)
      if (e["path"] != d["path"]) kept.push_back(std::move(e));
    devices.devices = std::move(kept);
    devices.devices.push_back(std::move(d));
  }
  if (!privileged)
    for (auto &r : requested.rules) devices.rules.push_back(std::move(r));
  resources["devices"] = std::move(devices.rules);
  linux["resources"] = std::move(resources);
  if (!devices.devices.empty()) linux["devices"] = std::move(devices.devices);

  if (privileged) {
    linux.erase("maskedPaths");
    linux.erase("readonlyPaths");
  } else {
    linux["maskedPaths"] = sc.masked_paths_size() > 0
                               ? std::vector<std::string>(sc.masked_paths().begin(), sc.masked_paths().end())
                               : spec::default_masked_paths();
    linux["readonlyPaths"] = sc.readonly_paths_size() > 0
                                 ? std::vector<std::string>(sc.readonly_paths().begin(), sc.readonly_paths().end())
                                 : spec::default_readonly_paths();
    Json seccomp = TRY(spec::seccomp_json(sc.has_seccomp(), sc.seccomp(), spec::deprecated_seccomp_path(sc), options,
                                          caps["bounding"].get<std::vector<std::string>>(),
                                          "config.linux.security_context.seccomp"));
    if (!seccomp.is_null()) linux["seccomp"] = std::move(seccomp);
  }

  // annotations: the CRI ones first, so crid's own cannot be overridden.
  Json annotations = Json::object();
  for (const auto &[k, v] : config.annotations()) annotations[k] = v;
  const auto &meta = sandbox_config.metadata();
  annotations["io.kubernetes.cri.container-type"] = "container";
  annotations["io.kubernetes.cri.sandbox-id"] = sandbox.id;
  annotations["io.kubernetes.cri.sandbox-name"] = meta.name();
  annotations["io.kubernetes.cri.sandbox-namespace"] = meta.namespace_();
  annotations["io.kubernetes.cri.sandbox-uid"] = meta.uid();
  annotations["io.kubernetes.cri.container-name"] = config.metadata().name();
  annotations["io.kubernetes.cri.image-name"] =
      config.image().user_specified_image().empty() ? config.image().image() : config.image().user_specified_image();
  spec["annotations"] = std::move(annotations);

  // What the runtime would refuse is better refused here, with the request at hand.
  if (auto parsed = parse_spec(spec.dump()); !parsed)
    return std::unexpected(parsed.error().context(fmt::format("config.json for container {}", container_id)));
  return spec;
}

}  // namespace berth::crid
