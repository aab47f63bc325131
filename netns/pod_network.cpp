#include "netns/pod_network.h"

#include "netns/cni_cache.h"
#include "netns/cni_config.h"
#include "netns/cni_invoke.h"

namespace berth::netns {

namespace {

constexpr const char *kNotReady = "NetworkPluginNotReady";

Result<CniConfigList> pod_network_config(const PodNetworkConfig &config) {
  auto list = TRY(load_first_config(config.config_dir));
  if (!list) return make_error("no CNI network config in {}", config.config_dir);
  return std::move(*list);
}

CniExecConf exec_conf(const PodNetworkConfig &config) { return {config.plugin_dirs, config.plugin_timeout}; }

Result<PodNetworkStatus> status_of(const std::string &network, const nlohmann::json &result, const std::string &ifname) {
  PodNetworkStatus status;
  status.network_name = network;
  status.result = TRY_CTX(parse_result(result), fmt::format("network \"{}\"", network));
  status.ips = pod_ips(status.result, ifname);
  return status;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> pod_cni_args(const PodNetworkRequest &request) {
  return {{"IgnoreUnknown", "1"},
          {"K8S_POD_NAMESPACE", request.pod_namespace},
          {"K8S_POD_NAME", request.pod_name},
          {"K8S_POD_INFRA_CONTAINER_ID", request.sandbox_id},
          {"K8S_POD_UID", request.pod_uid}};
}

nlohmann::json port_mappings_json(const std::vector<PortMapping> &mappings) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto &m : mappings) {
    if (m.host_port <= 0) continue;  // the kubelet sends container-only ports too
    out.push_back({{"hostPort", m.host_port},
                   {"containerPort", m.container_port},
                   {"protocol", m.protocol.empty() ? "tcp" : m.protocol},
                   {"hostIP", m.host_ip}});
  }
  return out;
}

Result<PodNetworkStatus> PodNetwork::setup(const PodNetworkRequest &request) const {
  std::string ctx = fmt::format("set up the network of sandbox {}", request.sandbox_id);
  if (request.sandbox_id.empty() || request.netns_path.empty())
    return make_error("{}: a sandbox id and a network namespace path are needed", ctx);
  CniConfigList list = TRY_CTX(pod_network_config(config_), ctx);

  CniCacheEntry entry;
  entry.network_name = list.name;
  entry.config = list.raw;
  entry.runtime.container_id = request.sandbox_id;
  entry.runtime.netns = request.netns_path;
  entry.runtime.ifname = request.ifname;
  entry.runtime.args = pod_cni_args(request);
  if (auto ports = port_mappings_json(request.port_mappings); !ports.empty())
    entry.runtime.capability_args["portMappings"] = ports;
  // Cached before ADD, so that a daemon killed halfway can still DEL later.
  TRY_CTX(write_cache(config_.cache_dir, entry), ctx);

  auto result = add_network_list(list, entry.runtime, exec_conf(config_));
  if (!result) {
    (void)remove_cache(config_.cache_dir, list.name, request.sandbox_id);
    return std::unexpected(result.error().context(ctx));
  }
  entry.result = *result;
  auto status = status_of(list.name, entry.result, request.ifname);
  auto saved = status ? write_cache(config_.cache_dir, entry) : Result<void>();
  if (!status || !saved) {
    Error error = status ? saved.error() : status.error();
    if (del_network_list(list, entry.runtime, exec_conf(config_), entry.result))
      (void)remove_cache(config_.cache_dir, list.name, request.sandbox_id);
    return std::unexpected(error.context(ctx));
  }
  return status;
}

Result<void> PodNetwork::teardown(const std::string &sandbox_id) const {
  std::string ctx = fmt::format("tear down the network of sandbox {}", sandbox_id);
  auto entries = TRY_CTX(read_cache(config_.cache_dir, sandbox_id), ctx);
  Result<void> first;
  for (const auto &entry : entries) {
    auto done = [&]() -> Result<void> {
      auto list = TRY(parse_config(entry.config, cache_path(config_.cache_dir, entry.network_name, sandbox_id)));
      TRY(del_network_list(list, entry.runtime, exec_conf(config_), entry.result));
      return remove_cache(config_.cache_dir, entry.network_name, sandbox_id);
    }();
    if (!done && first) first = std::unexpected(done.error().context(ctx));
  }
  return first;
}

Result<void> PodNetwork::check(const std::string &sandbox_id) const {
  std::string ctx = fmt::format("check the network of sandbox {}", sandbox_id);
  auto entries = TRY_CTX(read_cache(config_.cache_dir, sandbox_id), ctx);
  if (entries.empty()) return make_error("{}: it has no network set up", ctx);
  for (const auto &entry : entries) {
    auto list = TRY_CTX(parse_config(entry.config, cache_path(config_.cache_dir, entry.network_name, sandbox_id)), ctx);
    TRY_CTX(check_network_list(list, entry.runtime, exec_conf(config_), entry.result), ctx);
  }
  return {};
}

Result<std::optional<PodNetworkStatus>> PodNetwork::cached_status(const std::string &sandbox_id) const {
  auto entries = TRY(read_cache(config_.cache_dir, sandbox_id));
  for (const auto &entry : entries)
    if (!entry.result.is_null()) return TRY(status_of(entry.network_name, entry.result, entry.runtime.ifname));
  return std::nullopt;
}

NetworkStatus PodNetwork::status() const {
  NetworkStatus status;
  auto list = load_first_config(config_.config_dir);
  if (!list || !*list) {
    status.reason = kNotReady;
    status.message = list ? fmt::format("Network plugin returns error: no CNI network config in {}", config_.config_dir)
                          : fmt::format("Network plugin returns error: {}", list.error().message);
    return status;
  }
  status.network_name = (*list)->name;
  for (const auto &plugin : (*list)->plugins) {
    if (auto found = find_plugin(plugin.type, config_.plugin_dirs); !found) {
      status.reason = kNotReady;
      status.message = fmt::format("Network plugin returns error: network \"{}\" ({}): {}", (*list)->name,
                                   (*list)->source, found.error().message);
      return status;
    }
  }
  status.ready = true;
  return status;
}

}  // namespace berth::netns
