// CRI requests -> OCI runtime configs (config.json) for the runtime binary.
// Pure functions: no I/O except reading the rootfs's /etc/passwd and /etc/group
// to resolve user and group names; errors name the CRI field that was wrong.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "crid/cri_api.h"
#include "images/image_record.h"
#include "libcontainer/result.h"

namespace berth::crid {

// What a container needs from its pod sandbox.
struct SandboxContext {
  std::string id;
  int infra_pid = 0;               // the sandbox's infra process (namespace source)
  std::string netns_path;          // pinned netns to join; empty: join /proc/<infra_pid>/ns/net
  bool host_network = false;
  bool host_ipc = false;
  bool host_pid = false;           // NamespaceMode NODE for pid
  bool pod_pid = false;            // NamespaceMode POD for pid (share the infra's pid ns)
  std::string hostname;
  std::string resolv_conf_path;    // host files crid wrote for the pod, bind-mounted in
  std::string hosts_path;
  std::string hostname_path;
  std::string shm_path;            // the pod's /dev/shm tmpfs; empty: a private tmpfs
  std::string cgroup_parent;       // PodSandboxConfig.linux.cgroup_parent, or crid's default
};

struct SpecOptions {
  std::string seccomp_default_profile;   // path of the RuntimeDefault profile (JSON, OCI seccomp)
  std::string seccomp_profile_root;      // Localhost profiles must be absolute; informational
  bool restrict_oom_score_adj = false;   // clamp oom_score_adj to crid's own, as containerd does
  int own_oom_score_adj = 0;             // crid's /proc/self/oom_score_adj
  bool systemd_cgroup = false;           // cgroupsPath in "slice:prefix:name" form
};

// The container's config.json. rootfs: the mounted overlay (absolute path).
Result<nlohmann::json> build_container_spec(const runtime::v1::ContainerConfig &config,
                                            const runtime::v1::PodSandboxConfig &sandbox_config,
                                            const SandboxContext &sandbox,
                                            const images::ImageConfig &image,
                                            const std::string &container_id,
                                            const std::string &rootfs,
                                            const SpecOptions &options);

// The sandbox infra container's config.json: runs `infra_command` (crid's static
// pause binary, bind-mounted read-only into an empty rootfs at infra_rootfs),
// owns the pod's new ipc, uts (hostname), net (unless host network or netns_path
// is given: then it joins that) and, with pod pid sharing, pid namespaces.
Result<nlohmann::json> build_sandbox_spec(const runtime::v1::PodSandboxConfig &config,
                                          const SandboxContext &sandbox,
                                          const std::string &infra_rootfs,
                                          const std::string &infra_binary,
                                          const SpecOptions &options);

// CRI LinuxContainerResources -> OCI linux.resources (also what UpdateContainerResources
// hands to `runtime update --resources -`).
nlohmann::json linux_resources_json(const runtime::v1::LinuxContainerResources &resources);

// "user", "uid", "uid:gid", "name:group" against rootfs/etc/passwd and /etc/group.
struct ResolvedUser {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> additional_gids;  // from /etc/group membership of the user name
};
Result<ResolvedUser> resolve_user(const std::string &rootfs, const std::string &spec);

}  // namespace berth::crid
