// RuntimeService's calls on containers already made: ExecSync, the stats calls,
// UpdateContainerResources and ReopenContainerLog. The records come from
// PodManager (refreshed from their exit files); the bodies are in
// crid/container_extras.h.
#include <fstream>

#include <nlohmann/json.hpp>

#include "crid/container_extras.h"
#include "crid/grpc_status.h"
#include "crid/log.h"
#include "crid/runtime_service.h"

namespace berth::crid {

namespace {

rpc::Status failed(const char *call, const Error &error) {
  log::warning("{}: {}", call, error.message);
  return to_status(error);
}

rpc::Status no_pods() {
  return rpc::Status(rpc::StatusCode::UNAVAILABLE, "crid serves no pods: its pod manager did not start");
}

// linux.cgroupsPath of the config.json crid wrote into a bundle: the runtime
// made the cgroup from it, so it is where the usage is, whatever crid's
// settings are now.
std::string bundle_cgroups_path(const std::string &bundle_dir) {
  std::ifstream in(bundle_dir + "/config.json");
  if (!in) return "";
  auto spec = nlohmann::json::parse(in, nullptr, false);
  if (spec.is_discarded()) return "";
  auto path = spec.value("/linux/cgroupsPath"_json_pointer, std::string());
  return path;
}

}  // namespace

Result<ContainerView> RuntimeService::container_view(const ContainerRecord &record) const {
  auto runtime = TRY(pods_->runtime_of(record));
  ContainerView view;
  auto *attributes = &view.attributes;
  attributes->set_id(record.id);
  *attributes->mutable_metadata() = record.config.metadata();
  *attributes->mutable_labels() = record.config.labels();
  *attributes->mutable_annotations() = record.config.annotations();
  view.pod_sandbox_id = record.sandbox_id;
  view.state = to_cri(record.state);
  view.runtime = {runtime.path(), runtime.root(), {}, record.id};
  std::string dir = pods_->container_dir(record.id);
  view.cgroups_path = bundle_cgroups_path(dir);
  view.upper_dir = pods_->container_layer_dir(record.id) + "/upper";
  view.fs_mountpoint = config_.root + "/containers";
  view.monitor_socket_dir = dir + "/monitor";
  // The runtime's exec pid file: in the container's own dir, which only root reads.
  view.scratch_dir = dir;
  return view;
}

Result<PodView> RuntimeService::pod_view(const SandboxRecord &record) const {
  PodView view;
  auto *attributes = &view.attributes;
  attributes->set_id(record.id);
  *attributes->mutable_metadata() = record.config.metadata();
  *attributes->mutable_labels() = record.config.labels();
  *attributes->mutable_annotations() = record.config.annotations();
  view.ready = record.state == SandboxState::Ready;
  view.host_network = record.config.linux().security_context().namespace_options().network() == runtime::v1::NODE;
  // Only a parent the pod asked for is the pod's own: crid's default parent holds every pod.
  view.pod_cgroups_path = record.config.linux().cgroup_parent();
  view.infra_cgroups_path = bundle_cgroups_path(pods_->sandbox_dir(record.id));
  view.infra_pid = record.pid;
  // From the store, not through each container's lock: a stats call must not
  // wait behind a stop's grace period. The exit watcher keeps states current.
  for (const auto &id : pods_->store().containers_of(record.id)) {
    auto container = pods_->store().container(id);
    if (!container) continue;  // removed meanwhile
    auto c = container_view(*container);
    if (!c) return std::unexpected(c.error());
    view.containers.push_back(std::move(*c));
  }
  return view;
}

rpc::Status RuntimeService::ExecSync(rpc::CallContext *, const runtime::v1::ExecSyncRequest *request,
                                      runtime::v1::ExecSyncResponse *response) {
  if (!pods_) return no_pods();
  auto record = pods_->container(request->container_id());
  if (!record) return failed("ExecSync", record.error());
  auto view = container_view(*record);
  if (!view) return failed("ExecSync", view.error());
  return exec_sync_call(*view, *request, response);
}

rpc::Status RuntimeService::ContainerStats(rpc::CallContext *, const runtime::v1::ContainerStatsRequest *request,
                                            runtime::v1::ContainerStatsResponse *response) {
  if (!pods_) return no_pods();
  auto record = pods_->container(request->container_id());
  if (!record) return failed("ContainerStats", record.error());
  auto view = container_view(*record);
  if (!view) return failed("ContainerStats", view.error());
  return container_stats_call(*view, cpu_samples_, response);
}

rpc::Status RuntimeService::ListContainerStats(rpc::CallContext *, const runtime::v1::ListContainerStatsRequest *request,
                                                runtime::v1::ListContainerStatsResponse *response) {
  if (!pods_) return no_pods();
  std::vector<ContainerView> views;
  // Store records, without taking each container's lock (see pod_view).
  for (const auto &record : pods_->store().containers()) {
    auto view = container_view(record);
    if (!view) continue;  // its pod is being removed
    views.push_back(std::move(*view));
  }
  return list_container_stats_call(views, request->filter(), cpu_samples_, response);
}

rpc::Status RuntimeService::PodSandboxStats(rpc::CallContext *, const runtime::v1::PodSandboxStatsRequest *request,
                                             runtime::v1::PodSandboxStatsResponse *response) {
  if (!pods_) return no_pods();
  auto record = pods_->sandbox(request->pod_sandbox_id());
  if (!record) return failed("PodSandboxStats", record.error());
  auto view = pod_view(*record);
  if (!view) return failed("PodSandboxStats", view.error());
  return pod_sandbox_stats_call(*view, cpu_samples_, response);
}

rpc::Status RuntimeService::ListPodSandboxStats(rpc::CallContext *,
                                                 const runtime::v1::ListPodSandboxStatsRequest *request,
                                                 runtime::v1::ListPodSandboxStatsResponse *response) {
  if (!pods_) return no_pods();
  std::vector<PodView> views;
  for (const auto &record : pods_->store().sandboxes()) {
    auto view = pod_view(record);
    if (!view) continue;
    views.push_back(std::move(*view));
  }
  return list_pod_sandbox_stats_call(views, request->filter(), cpu_samples_, response);
}

rpc::Status RuntimeService::UpdateContainerResources(rpc::CallContext *,
                                                      const runtime::v1::UpdateContainerResourcesRequest *request,
                                                      runtime::v1::UpdateContainerResourcesResponse *) {
  if (!pods_) return no_pods();
  auto record = pods_->container(request->container_id());
  if (!record) return failed("UpdateContainerResources", record.error());
  auto view = container_view(*record);
  if (!view) return failed("UpdateContainerResources", view.error());
  auto status = update_container_resources_call(*view, *request);
  if (!status.ok()) {
    log::warning("UpdateContainerResources: {}", status.error_message());
    return status;
  }
  if (request->has_linux()) remember_resources(record->id, request->linux());
  return status;
}

// ContainerStatus reports the resources from the record: it must show the
// update, merged as containerd merges it (fields the request leaves zero keep
// their value).
void RuntimeService::remember_resources(const std::string &id, const runtime::v1::LinuxContainerResources &update) {
  auto lock = pods_->store().lock_for(id);
  std::lock_guard guard(*lock);
  auto record = pods_->store().container(id);
  if (!record) return;  // removed meanwhile
  auto *resources = record->config.mutable_linux()->mutable_resources();
  if (update.hugepage_limits_size() > 0) resources->clear_hugepage_limits();
  resources->MergeFrom(update);
  if (auto r = pods_->store().update_container(*record); !r)
    log::warning("UpdateContainerResources: record the new resources of container {}: {}", id, r.error().message);
}

rpc::Status RuntimeService::ReopenContainerLog(rpc::CallContext *,
                                                const runtime::v1::ReopenContainerLogRequest *request,
                                                runtime::v1::ReopenContainerLogResponse *) {
  if (!pods_) return no_pods();
  auto record = pods_->container(request->container_id());
  if (!record) return failed("ReopenContainerLog", record.error());
  auto view = container_view(*record);
  if (!view) return failed("ReopenContainerLog", view.error());
  return reopen_container_log_call(*view);
}

void RuntimeService::forget_samples(const std::vector<std::string> &ids) {
  for (const auto &id : ids) cpu_samples_.forget(id);
}

}  // namespace berth::crid
