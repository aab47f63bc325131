#include "crid/sandbox_network.h"

#include "crid/log.h"
#include "crid/pod_files.h"
#include "crid/pod_network_config.h"
#include "netns/netns.h"

namespace berth::crid {

namespace {

const char *protocol_name(runtime::v1::Protocol protocol) {
  switch (protocol) {
    case runtime::v1::UDP: return "udp";
    case runtime::v1::SCTP: return "sctp";
    default: return "tcp";
  }
}

}  // namespace

bool uses_host_network(const runtime::v1::PodSandboxConfig &config) {
  return config.linux().security_context().namespace_options().network() == runtime::v1::NODE;
}

std::string sandbox_netns_path(const Config &config, const std::string &sandbox_id) {
  return config.state + "/netns/" + sandbox_id;
}

std::vector<netns::PortMapping> port_mappings(const runtime::v1::PodSandboxConfig &config) {
  std::vector<netns::PortMapping> out;
  for (const auto &m : config.port_mappings())
    out.push_back({.host_port = m.host_port(),
                   .container_port = m.container_port(),
                   .protocol = protocol_name(m.protocol()),
                   .host_ip = m.host_ip()});
  return out;
}

Result<SandboxNetwork> setup_sandbox_network(const Config &config, const std::string &sandbox_id,
                                             const runtime::v1::PodSandboxConfig &pod) {
  TRY(make_dirs(config.state + "/netns", 0711));
  // Removes the namespace again if ADD fails; ADD undoes its own steps.
  auto ns = TRY(netns::PinnedNetns::create(sandbox_netns_path(config, sandbox_id)));
  const auto &m = pod.metadata();
  auto status = TRY(netns::PodNetwork(pod_network_config(config))
                        .setup({.sandbox_id = sandbox_id,
                                .pod_name = m.name(),
                                .pod_namespace = m.namespace_(),
                                .pod_uid = m.uid(),
                                .netns_path = ns.path(),
                                .port_mappings = port_mappings(pod)}));
  return SandboxNetwork{.netns_path = ns.release(), .ips = std::move(status.ips)};
}

Result<void> teardown_sandbox_network(const Config &config, const std::string &sandbox_id,
                                      const std::string &netns_path) {
  TRY(netns::PodNetwork(pod_network_config(config)).teardown(sandbox_id));
  if (!netns_path.empty()) TRY(netns::remove_pinned_netns(netns_path));
  return {};
}

std::vector<std::string> sandbox_ips(const Config &config, const SandboxRecord &record) {
  if (record.state != SandboxState::Ready || record.netns_path.empty()) return {};
  if (!record.ips.empty()) return record.ips;
  auto cached = netns::PodNetwork(pod_network_config(config)).cached_status(record.id);
  if (!cached) {
    log::warning("pod sandbox {}: its IPs: {}", record.id, cached.error().message);
    return {};
  }
  return *cached ? (*cached)->ips : std::vector<std::string>{};
}

}  // namespace berth::crid
