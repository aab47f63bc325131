// Pod networking as crid uses it: one call to give a pod its network, one to
// take it away, one to say whether networking is ready at all.
//
// How crid wires it (RunPodSandbox / StopPodSandbox / PodSandboxStatus / Status):
//
//   PodNetwork network({.config_dir = config.cni_config_dir,
//                       .plugin_dirs = config.cni_plugin_dirs,
//                       .cache_dir = config.cni_cache_dir});
//
//   RunPodSandbox (not host network):
//     auto ns = TRY(netns::PinnedNetns::create(state + "/netns/" + id));   // removed if a later step fails
//     auto net = TRY(network.setup({.sandbox_id = id, .pod_name = ..., .pod_namespace = ...,
//                                   .pod_uid = ..., .netns_path = ns.path(),
//                                   .port_mappings = ...}));          // rolls itself back on failure
//     ... start the infra container with its network namespace at ns.path(),
//     ... record net.ips; ns.release() once the sandbox exists.
//   StopPodSandbox:   TRY(network.teardown(id)); TRY(netns::remove_pinned_netns(path));   // both idempotent
//   PodSandboxStatus: network.cached_status(id) gives the IPs, also after a crid restart.
//   Status:           network.status() -> NetworkReady condition (reason, message).
//
// All members are safe to call from several threads at once for different sandboxes.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "libcontainer/result.h"
#include "netns/cni_result.h"

namespace berth::netns {

struct PodNetworkConfig {
  std::string config_dir = "/etc/cni/net.d";                                // --cni-config-dir
  std::vector<std::string> plugin_dirs = {"/usr/lib/cni", "/opt/cni/bin"};  // --cni-plugin-dir
  std::string cache_dir = "/var/lib/crid/cni-cache";                        // <root>/cni-cache
  std::chrono::milliseconds plugin_timeout{std::chrono::seconds(60)};
};

struct PortMapping {
  int host_port = 0;       // 0: not published on the host (skipped)
  int container_port = 0;
  std::string protocol = "tcp";  // "tcp", "udp" or "sctp", as portmap wants it
  std::string host_ip;           // "" for every address
};

struct PodNetworkRequest {
  std::string sandbox_id;  // CNI_CONTAINERID and the cache key
  std::string pod_name;
  std::string pod_namespace;
  std::string pod_uid;
  std::string netns_path;  // the pinned namespace (netns.h)
  std::vector<PortMapping> port_mappings;
  std::string ifname = "eth0";
};

struct PodNetworkStatus {
  std::string network_name;
  std::vector<std::string> ips;  // primary first (IPv4 before IPv6)
  CniResult result;
};

struct NetworkStatus {
  bool ready = false;
  std::string reason;   // "NetworkPluginNotReady" when not ready
  std::string message;  // why, naming the dir or file
  std::string network_name;
};

class PodNetwork {
 public:
  explicit PodNetwork(PodNetworkConfig config) : config_(std::move(config)) {}

  // ADD through the first config list of the config dir. On failure what
  // ADD did is undone (DEL), the cache entry removed, and the error returned.
  Result<PodNetworkStatus> setup(const PodNetworkRequest &request) const;

  // DEL with exactly what ADD used (from the cache), then drops the cache
  // entry. Idempotent: nothing cached is success. A failed DEL keeps the
  // entry so that a retry can finish the work.
  Result<void> teardown(const std::string &sandbox_id) const;

  // CHECK against the cached result.
  Result<void> check(const std::string &sandbox_id) const;

  // The cached network of the sandbox, nullopt when it has none.
  Result<std::optional<PodNetworkStatus>> cached_status(const std::string &sandbox_id) const;

  // Ready when the config dir holds a valid config list (read again on every
  // call, so a config that appears later is picked up).
  NetworkStatus status() const;

  const PodNetworkConfig &config() const { return config_; }

 private:
  PodNetworkConfig config_;
};

// CNI_ARGS for a pod, as the kubelet's CNI users pass them:
// K8S_POD_NAMESPACE, K8S_POD_NAME, K8S_POD_INFRA_CONTAINER_ID, K8S_POD_UID, IgnoreUnknown=1.
std::vector<std::pair<std::string, std::string>> pod_cni_args(const PodNetworkRequest &request);

// The portMappings capability argument: [{hostPort, containerPort, protocol, hostIP}],
// mappings without a host port left out.
nlohmann::json port_mappings_json(const std::vector<PortMapping> &mappings);

}  // namespace berth::netns
