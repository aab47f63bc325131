// CRI RuntimeService: what the kubelet asks of pods and containers. The calls
// crid does not serve answer UNIMPLEMENTED, naming the call
// (crid/service_methods.cpp).
#pragma once

#include <string>
#include <vector>

#include "crid/rpc/call.h"
#include "crid/rpc/status.h"
#include "crid/config.h"
#include "crid/container_extras.h"
#include "crid/cri_api.h"
#include "crid/pod_manager.h"

namespace berth::crid {

namespace streaming {
class Server;
}

class RuntimeService final {
 public:
  explicit RuntimeService(const Config &config, PodManager *pods = nullptr) : config_(config), pods_(pods) {}

  rpc::Status Version(rpc::CallContext *, const runtime::v1::VersionRequest *,
                       runtime::v1::VersionResponse *);
  rpc::Status Status(rpc::CallContext *, const runtime::v1::StatusRequest *,
                      runtime::v1::StatusResponse *);

  // Pod sandboxes and containers (crid/pod_manager.h).
  rpc::Status RunPodSandbox(rpc::CallContext *, const runtime::v1::RunPodSandboxRequest *,
                             runtime::v1::RunPodSandboxResponse *);
  rpc::Status StopPodSandbox(rpc::CallContext *, const runtime::v1::StopPodSandboxRequest *,
                              runtime::v1::StopPodSandboxResponse *);
  rpc::Status RemovePodSandbox(rpc::CallContext *, const runtime::v1::RemovePodSandboxRequest *,
                                runtime::v1::RemovePodSandboxResponse *);
  rpc::Status PodSandboxStatus(rpc::CallContext *, const runtime::v1::PodSandboxStatusRequest *,
                                runtime::v1::PodSandboxStatusResponse *);
  rpc::Status ListPodSandbox(rpc::CallContext *, const runtime::v1::ListPodSandboxRequest *,
                              runtime::v1::ListPodSandboxResponse *);
  rpc::Status CreateContainer(rpc::CallContext *, const runtime::v1::CreateContainerRequest *,
                               runtime::v1::CreateContainerResponse *);
  rpc::Status StartContainer(rpc::CallContext *, const runtime::v1::StartContainerRequest *,
                              runtime::v1::StartContainerResponse *);
  rpc::Status StopContainer(rpc::CallContext *, const runtime::v1::StopContainerRequest *,
                             runtime::v1::StopContainerResponse *);
  rpc::Status RemoveContainer(rpc::CallContext *, const runtime::v1::RemoveContainerRequest *,
                               runtime::v1::RemoveContainerResponse *);
  rpc::Status ListContainers(rpc::CallContext *, const runtime::v1::ListContainersRequest *,
                              runtime::v1::ListContainersResponse *);
  rpc::Status ContainerStatus(rpc::CallContext *, const runtime::v1::ContainerStatusRequest *,
                               runtime::v1::ContainerStatusResponse *);
  // Calls on containers already made (crid/runtime_service_extras.cpp).
  rpc::Status UpdateContainerResources(rpc::CallContext *, const runtime::v1::UpdateContainerResourcesRequest *,
                                        runtime::v1::UpdateContainerResourcesResponse *);
  rpc::Status ReopenContainerLog(rpc::CallContext *, const runtime::v1::ReopenContainerLogRequest *,
                                  runtime::v1::ReopenContainerLogResponse *);
  rpc::Status ExecSync(rpc::CallContext *, const runtime::v1::ExecSyncRequest *,
                        runtime::v1::ExecSyncResponse *);
  // Streaming (crid/runtime_service_streaming.cpp): URLs on the streaming server.
  void set_stream_server(streaming::Server *server) { stream_ = server; }
  rpc::Status Exec(rpc::CallContext *, const runtime::v1::ExecRequest *, runtime::v1::ExecResponse *);
  rpc::Status Attach(rpc::CallContext *, const runtime::v1::AttachRequest *,
                      runtime::v1::AttachResponse *);
  rpc::Status PortForward(rpc::CallContext *, const runtime::v1::PortForwardRequest *,
                           runtime::v1::PortForwardResponse *);
  rpc::Status ContainerStats(rpc::CallContext *, const runtime::v1::ContainerStatsRequest *,
                              runtime::v1::ContainerStatsResponse *);
  rpc::Status ListContainerStats(rpc::CallContext *, const runtime::v1::ListContainerStatsRequest *,
                                  runtime::v1::ListContainerStatsResponse *);
  rpc::Status PodSandboxStats(rpc::CallContext *, const runtime::v1::PodSandboxStatsRequest *,
                               runtime::v1::PodSandboxStatsResponse *);
  rpc::Status ListPodSandboxStats(rpc::CallContext *, const runtime::v1::ListPodSandboxStatsRequest *,
                                   runtime::v1::ListPodSandboxStatsResponse *);
  rpc::Status GetContainerEvents(rpc::CallContext *, const runtime::v1::GetEventsRequest *,
                                  rpc::Writer<runtime::v1::ContainerEventResponse> *);

 private:
  Result<ContainerView> container_view(const ContainerRecord &record) const;
  Result<PodView> pod_view(const SandboxRecord &record) const;
  // Removed containers and pods leave the CPU rate cache.
  void forget_samples(const std::vector<std::string> &ids);
  void remember_resources(const std::string &id, const runtime::v1::LinuxContainerResources &update);
  const Config &config_;
  PodManager *pods_;
  streaming::Server *stream_ = nullptr;
  CpuSampleCache cpu_samples_;  // the previous CPU reading per container and pod, for usage_nano_cores
};

}  // namespace berth::crid
