#include "crid/container_extras.h"

#include "crid/container_spec.h"
#include "crid/exec_sync.h"
#include "crid/grpc_status.h"
#include "crid/log_reopen.h"
#include "crid/update_resources.h"

namespace berth::crid {

namespace {

bool has_process(const ContainerView &c) {
  return c.state == runtime::v1::CONTAINER_RUNNING || c.state == runtime::v1::CONTAINER_CREATED;
}

// The kubelet (and crid's own server) take gRPC messages of at most 16 MiB:
// an ExecSync answer over that never arrives, so both streams together are
// cut to fit, with room left for the rest of the message. stdout goes first:
// probes and `kubectl exec` read it.
constexpr size_t kExecSyncOutputBudget = (16u << 20) - (64u << 10);

void fit_exec_output(std::string &out, std::string &err) {
  if (out.size() > kExecSyncOutputBudget) out.resize(kExecSyncOutputBudget);
  size_t left = kExecSyncOutputBudget - out.size();
  if (err.size() > left) err.resize(left);
}

rpc::Status not_running(const ContainerView &c) {
  return rpc::Status(rpc::StatusCode::FAILED_PRECONDITION,
                      fmt::format("container {} is not running", c.attributes.id()));
}

ContainerStatsInput stats_input(const ContainerView &c) {
  return {c.attributes, c.cgroups_path, c.upper_dir, c.fs_mountpoint};
}

PodSandboxStatsInput pod_input(const PodView &pod) {
  PodSandboxStatsInput in;
  in.attributes = pod.attributes;
  in.pod_cgroups_path = pod.pod_cgroups_path;
  in.infra_cgroups_path = pod.infra_cgroups_path;
  // A host-network pod's netns is the node's: its counters are not the pod's.
  in.infra_pid = pod.ready && !pod.host_network ? pod.infra_pid : 0;
  for (const auto &c : pod.containers)
    if (has_process(c)) in.containers.push_back(stats_input(c));
  return in;
}

}  // namespace

bool id_matches(const std::string &filter_id, const std::string &id) {
  return filter_id.empty() || id.starts_with(filter_id);
}

bool labels_match(const google::protobuf::Map<std::string, std::string> &selector,
                  const google::protobuf::Map<std::string, std::string> &labels) {
  for (const auto &[k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

rpc::Status exec_sync_call(const ContainerView &container, const runtime::v1::ExecSyncRequest &request,
                            runtime::v1::ExecSyncResponse *response) {
  if (request.cmd().empty())
    return rpc::Status(rpc::StatusCode::INVALID_ARGUMENT, "ExecSync: cmd is empty");
  if (request.timeout() < 0)
    return rpc::Status(rpc::StatusCode::INVALID_ARGUMENT, fmt::format("ExecSync: timeout {} is negative", request.timeout()));
  if (container.state != runtime::v1::CONTAINER_RUNNING) return not_running(container);
  ExecSyncOptions options;
  options.timeout = std::chrono::seconds(request.timeout());
  if (!container.scratch_dir.empty()) options.scratch_dir = container.scratch_dir;
  auto r = exec_sync(container.runtime, {request.cmd().begin(), request.cmd().end()}, options);
  if (!r) return to_status(r.error());
  fit_exec_output(r->out, r->err);
  response->set_stdout(std::move(r->out));
  response->set_stderr(std::move(r->err));
  response->set_exit_code(r->exit_code);
  return rpc::Status::OK;
}

rpc::Status container_stats_call(const ContainerView &container, CpuSampleCache &cache,
                                  runtime::v1::ContainerStatsResponse *response) {
  auto s = container_stats(stats_input(container), cache);
  if (!s) return to_status(s.error());
  *response->mutable_stats() = std::move(*s);
  return rpc::Status::OK;
}

rpc::Status list_container_stats_call(const std::vector<ContainerView> &containers,
                                       const runtime::v1::ContainerStatsFilter &filter, CpuSampleCache &cache,
                                       runtime::v1::ListContainerStatsResponse *response) {
  for (const auto &c : containers) {
    if (!has_process(c) || !id_matches(filter.id(), c.attributes.id())) continue;
    if (!filter.pod_sandbox_id().empty() && !id_matches(filter.pod_sandbox_id(), c.pod_sandbox_id)) continue;
    if (!labels_match(filter.label_selector(), c.attributes.labels())) continue;
    auto s = container_stats(stats_input(c), cache);
    // One container's cgroup vanishing as it exits must not fail the list.
    if (!s) continue;
    *response->add_stats() = std::move(*s);
  }
  return rpc::Status::OK;
}

rpc::Status pod_sandbox_stats_call(const PodView &pod, CpuSampleCache &cache,
                                    runtime::v1::PodSandboxStatsResponse *response) {
  auto s = pod_sandbox_stats(pod_input(pod), cache);
  if (!s) return to_status(s.error());
  *response->mutable_stats() = std::move(*s);
  return rpc::Status::OK;
}

rpc::Status list_pod_sandbox_stats_call(const std::vector<PodView> &pods,
                                         const runtime::v1::PodSandboxStatsFilter &filter, CpuSampleCache &cache,
                                         runtime::v1::ListPodSandboxStatsResponse *response) {
  for (const auto &pod : pods) {
    if (!pod.ready || !id_matches(filter.id(), pod.attributes.id())) continue;
    if (!labels_match(filter.label_selector(), pod.attributes.labels())) continue;
    auto s = pod_sandbox_stats(pod_input(pod), cache);
    if (!s) continue;
    *response->add_stats() = std::move(*s);
  }
  return rpc::Status::OK;
}

rpc::Status update_container_resources_call(const ContainerView &container,
                                             const runtime::v1::UpdateContainerResourcesRequest &request) {
  if (!has_process(container)) return not_running(container);
  // Nothing for Linux to change (a Windows-only request).
  if (!request.has_linux()) return rpc::Status::OK;
  auto r = update_container_resources(container.runtime, linux_resources_json(request.linux()));
  if (!r) return to_status(r.error());
  return rpc::Status::OK;
}

rpc::Status reopen_container_log_call(const ContainerView &container) {
  if (container.state != runtime::v1::CONTAINER_RUNNING) return not_running(container);
  auto r = reopen_container_log(container.attributes.id(), container.monitor_socket_dir);
  if (!r) return to_status(r.error());
  return rpc::Status::OK;
}

}  // namespace berth::crid
