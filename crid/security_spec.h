// The security parts of a config.json that the container and sandbox
// builders share: capabilities, seccomp, LSM labels, masked paths, OOM score.
// Internal to crid's spec builders; `field` arguments are the CRI field paths
// that errors name ("config.linux.security_context.seccomp").
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "crid/container_spec.h"

namespace berth::crid::spec {

// containerd's default set: what a container gets before add/drop.
const std::vector<std::string> &default_capabilities();
// Every capability the running kernel has and crid may pass on (its own
// bounding set), "CAP_CHOWN" first: what privileged and "ALL" mean.
std::vector<std::string> all_capabilities();

// process.capabilities: the default set, then "ALL" added, "ALL" dropped,
// each named add, each named drop (containerd's order, so add ALL + drop
// CHOWN is everything but CAP_CHOWN). Names take CAP_ or not, any case.
// Ambient additions also go to the inheritable set, or the kernel refuses them.
Result<nlohmann::json> capabilities_json(const runtime::v1::Capability &caps, bool privileged,
                                         std::string_view field);

// linux.seccomp, or null for none. profile is used when has_profile, else the
// deprecated path form ("runtime/default", "docker/default", "unconfined",
// "localhost/<path>", ""). RuntimeDefault loads options.seccomp_default_profile;
// Localhost loads the file it names. Docker-format profiles (archMap,
// includes/excludes by capability, arch or kernel) are converted to OCI form
// for this host, with `capabilities` as the container's bounding set.
Result<nlohmann::json> seccomp_json(bool has_profile, const runtime::v1::SecurityProfile &profile,
                                    const std::string &deprecated_path, const SpecOptions &options,
                                    const std::vector<std::string> &capabilities, std::string_view field);

// The deprecated string forms, still sent by older kubelets.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
inline const std::string &deprecated_seccomp_path(const runtime::v1::LinuxContainerSecurityContext &sc) {
  return sc.seccomp_profile_path();
}
inline const std::string &deprecated_seccomp_path(const runtime::v1::LinuxSandboxSecurityContext &sc) {
  return sc.seccomp_profile_path();
}
inline const std::string &deprecated_apparmor_profile(const runtime::v1::LinuxContainerSecurityContext &sc) {
  return sc.apparmor_profile();
}
#pragma GCC diagnostic pop

// An OCI or Docker seccomp profile document -> the OCI linux.seccomp object.
// source names the document in errors.
Result<nlohmann::json> convert_seccomp_profile(const nlohmann::json &profile,
                                               const std::vector<std::string> &capabilities,
                                               std::string_view source);

// process.apparmorProfile, or "" for none. crid loads no AppArmor profile of
// its own, so RuntimeDefault (and "runtime/default") leave the field unset,
// as does Unconfined; Localhost names a profile the host must have loaded,
// and asking for one where AppArmor is off is an error naming the field.
Result<std::string> apparmor_profile(bool has_profile, const runtime::v1::SecurityProfile &profile,
                                     const std::string &deprecated_name, std::string_view field);

// process.selinuxLabel and linux.mountLabel from CRI SELinuxOption. Without
// SELinux on the host both stay empty: there is nothing to label with.
struct SelinuxLabels {
  std::string process, mount;
};
SelinuxLabels selinux_labels(bool has_options, const runtime::v1::SELinuxOption &options);

// Docker's and containerd's defaults for linux.maskedPaths and readonlyPaths.
const std::vector<std::string> &default_masked_paths();
const std::vector<std::string> &default_readonly_paths();

// oom_score_adj as the runtime will be asked for it: never below crid's own
// when options.restrict_oom_score_adj (lowering it needs CAP_SYS_RESOURCE).
int oom_score_adj(int64_t requested, const SpecOptions &options);

}  // namespace berth::crid::spec
