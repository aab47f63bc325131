// A pod sandbox's network: a network namespace pinned under <state>/netns/<id>
// and the pod's CNI attachment in it (netns/pod_network.h). The infra
// container and every container of the pod join the namespace by its path, so
// it outlives crid restarts and infra restarts alike. Host-network pods have
// neither.
#pragma once

#include <string>
#include <vector>

#include "crid/config.h"
#include "crid/cri_api.h"
#include "crid/pod_records.h"
#include "libcontainer/result.h"
#include "netns/pod_network.h"

namespace berth::crid {

bool uses_host_network(const runtime::v1::PodSandboxConfig &config);

// Where the sandbox's namespace is pinned.
std::string sandbox_netns_path(const Config &config, const std::string &sandbox_id);

// PodSandboxConfig.port_mappings as portmap wants them.
std::vector<netns::PortMapping> port_mappings(const runtime::v1::PodSandboxConfig &config);

struct SandboxNetwork {
  std::string netns_path;
  std::vector<std::string> ips;  // primary first
};

// Pins a namespace for the sandbox and runs CNI ADD in it with the pod's
// names and port mappings. On failure nothing is left: no namespace, no
// cache entry, nothing a plugin made.
Result<SandboxNetwork> setup_sandbox_network(const Config &config, const std::string &sandbox_id,
                                             const runtime::v1::PodSandboxConfig &pod);

// CNI DEL with what ADD used (from the cache), then unpins netns_path.
// Idempotent. When DEL fails the namespace stays pinned, so that a retry can
// still DEL inside it.
Result<void> teardown_sandbox_network(const Config &config, const std::string &sandbox_id,
                                      const std::string &netns_path);

// The IPs PodSandboxStatus reports: none unless the sandbox is ready (its
// namespace may be gone), else the record's, else the CNI cache's (records
// written before crid kept the IPs).
std::vector<std::string> sandbox_ips(const Config &config, const SandboxRecord &record);

}  // namespace berth::crid
