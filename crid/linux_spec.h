// Pieces of linux.* and process.* that the container and sandbox builders
// share: cgroupsPath, sysctls, rlimits, the cgroup namespace decision.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "crid/container_spec.h"

namespace berth::crid::spec {

// "<cgroup_parent>/crid-<id>" (cgroupfs), or "<slice>:crid:<id>" for the
// systemd driver (slice: the cgroup parent, "system.slice" when none).
std::string cgroups_path(const std::string &cgroup_parent, const std::string &id, const SpecOptions &options);

// linux.sysctl from the pod's sysctls: only namespaced ones (IPC: kernel.shm*,
// kernel.msg*, kernel.sem, fs.mqueue.*; network: net.*), and only where the pod
// has its own namespace of that kind; anything else would change the host.
Result<nlohmann::json> sysctls_json(const google::protobuf::Map<std::string, std::string> &sysctls,
                                    bool host_network, bool host_ipc, std::string_view field);

// process.rlimits: RLIMIT_NOFILE 1024 (the runtime default), lowered to
// crid's own hard limit when that is smaller (raising it needs CAP_SYS_RESOURCE).
nlohmann::json default_rlimits();

// containerd gives containers a cgroup namespace only on a pure cgroup v2 host.
bool cgroup_v2_unified();

// The PATH every container gets unless its image or config sets one.
inline constexpr const char *kDefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace berth::crid::spec
