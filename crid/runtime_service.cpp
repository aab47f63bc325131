#include "crid/runtime_service.h"

#include <nlohmann/json.hpp>

#include <config.h>  // the build's (autoconf); crid/config.h is crid's settings
#include "crid/log.h"
#include "crid/pod_network_config.h"

namespace berth::crid {

namespace {
// The CRI API version crid speaks, and its own API version for VersionResponse.version.
constexpr const char *kRuntimeApiVersion = "v1";
constexpr const char *kKubeApiVersion = "0.1.0";
}  // namespace

rpc::Status RuntimeService::Version(rpc::CallContext *, const runtime::v1::VersionRequest *,
                                     runtime::v1::VersionResponse *response) {
  response->set_version(kKubeApiVersion);
  response->set_runtime_name("crid");
  response->set_runtime_version(PACKAGE_VERSION);
  response->set_runtime_api_version(kRuntimeApiVersion);
  return rpc::Status::OK;
}

rpc::Status RuntimeService::Status(rpc::CallContext *, const runtime::v1::StatusRequest *request,
                                    runtime::v1::StatusResponse *response) {
  auto *status = response->mutable_status();
  auto *runtime_ready = status->add_conditions();
  runtime_ready->set_type("RuntimeReady");
  runtime_ready->set_status(true);
  // Read from the CNI config dir on every call, so a config written after
  // crid started makes the node Ready (the kubelet polls Status).
  auto network = netns::PodNetwork(pod_network_config(config_)).status();
  auto *network_ready = status->add_conditions();
  network_ready->set_type("NetworkReady");
  network_ready->set_status(network.ready);
  if (!network.ready) {
    network_ready->set_reason(network.reason);
    network_ready->set_message(network.message);
  }

  auto *handler = response->add_runtime_handlers();
  handler->set_name("");
  handler->mutable_features()->set_recursive_read_only_mounts(false);
  handler->mutable_features()->set_user_namespaces(false);
  for (const auto &[name, path] : config_.runtime_handlers) {
    if (name.empty()) continue;
    auto *extra = response->add_runtime_handlers();
    extra->set_name(name);
    extra->mutable_features()->set_recursive_read_only_mounts(false);
    extra->mutable_features()->set_user_namespaces(false);
  }

  if (request->verbose()) {
    nlohmann::json registries = nlohmann::json::object();
    for (const auto &[host, r] : config_.registries)
      registries[host] = {{"insecure", r.insecure}, {"mirrors", r.mirrors}};
    nlohmann::json cfg = {
        {"configPath", config_.config_path},
        {"listen", config_.listen},
        {"root", config_.root},
        {"state", config_.state},
        {"runtime", config_.runtime},
        {"logLevel", config_.log_level},
        {"defaultRegistry", config_.default_registry},
        {"insecureRegistries", config_.insecure_registries},
        {"registries", registries},
        {"monitorPath", config_.monitor_path},
        {"infraBinary", config_.infra_binary},
        {"pullHelper", config_.pull_helper},
        {"seccompDefaultProfile", config_.seccomp_default_profile},
        {"cgroupParent", config_.cgroup_parent},
        {"defaultShmSize", config_.default_shm_size},
        {"runtimeHandlers", config_.runtime_handlers},
        {"cniConfigDir", config_.cni_config_dir},
        {"cniPluginDirs", config_.cni_plugin_dirs},
        {"cniCacheDir", config_.cni_cache_path()},
    };
    (*response->mutable_info())["config"] = cfg.dump();
  }
  return rpc::Status::OK;
}

}  // namespace berth::crid
