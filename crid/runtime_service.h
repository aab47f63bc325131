// CRI RuntimeService: Version and Status now. Pod sandboxes, containers,
// streaming and stats come with the next issues; until then each of those
// calls answers UNIMPLEMENTED, naming the call, as gRPC servers do for
// methods they do not serve.
#pragma once

#include <string>
#include <vector>

#include "crid/config.h"
#include "crid/container_extras.h"
#include "crid/cri_api.h"
#include "crid/pod_manager.h"

namespace berth::crid {

namespace streaming {
class Server;
}

class RuntimeService final : public runtime::v1::RuntimeService::Service {
 public:
  explicit RuntimeService(const Config &config, PodManager *pods = nullptr) : config_(config), pods_(pods) {}

  grpc::Status Version(grpc::ServerContext *, const runtime::v1::VersionRequest *,
                       runtime::v1::VersionResponse *) override;
  grpc::Status Status(grpc::ServerContext *, const runtime::v1::StatusRequest *,
                      runtime::v1::StatusResponse *) override;

#define CRID_NOT_YET(Method)                                                                    \
  grpc::Status Method(grpc::ServerContext *, const runtime::v1::Method##Request *,              \
                      runtime::v1::Method##Response *) override {                               \
    return not_implemented(#Method);                                                            \
  }
#define CRID_NOT_YET_STREAM(Method, Request, Response)                                          \
  grpc::Status Method(grpc::ServerContext *, const runtime::v1::Request *,                      \
                      grpc::ServerWriter<runtime::v1::Response> *) override {                   \
    return not_implemented(#Method);                                                            \
  }
  // Pod sandboxes and containers (crid/pod_manager.h).
  grpc::Status RunPodSandbox(grpc::ServerContext *, const runtime::v1::RunPodSandboxRequest *,
                             runtime::v1::RunPodSandboxResponse *) override;
  grpc::Status StopPodSandbox(grpc::ServerContext *, const runtime::v1::StopPodSandboxRequest *,
                              runtime::v1::StopPodSandboxResponse *) override;
  grpc::Status RemovePodSandbox(grpc::ServerContext *, const runtime::v1::RemovePodSandboxRequest *,
                                runtime::v1::RemovePodSandboxResponse *) override;
  grpc::Status PodSandboxStatus(grpc::ServerContext *, const runtime::v1::PodSandboxStatusRequest *,
                                runtime::v1::PodSandboxStatusResponse *) override;
  grpc::Status ListPodSandbox(grpc::ServerContext *, const runtime::v1::ListPodSandboxRequest *,
                              runtime::v1::ListPodSandboxResponse *) override;
  CRID_NOT_YET_STREAM(StreamPodSandboxes, StreamPodSandboxesRequest, StreamPodSandboxesResponse)
  grpc::Status CreateContainer(grpc::ServerContext *, const runtime::v1::CreateContainerRequest *,
                               runtime::v1::CreateContainerResponse *) override;
  grpc::Status StartContainer(grpc::ServerContext *, const runtime::v1::StartContainerRequest *,
                              runtime::v1::StartContainerResponse *) override;
  grpc::Status StopContainer(grpc::ServerContext *, const runtime::v1::StopContainerRequest *,
                             runtime::v1::StopContainerResponse *) override;
  grpc::Status RemoveContainer(grpc::ServerContext *, const runtime::v1::RemoveContainerRequest *,
                               runtime::v1::RemoveContainerResponse *) override;
  grpc::Status ListContainers(grpc::ServerContext *, const runtime::v1::ListContainersRequest *,
                              runtime::v1::ListContainersResponse *) override;
  CRID_NOT_YET_STREAM(StreamContainers, StreamContainersRequest, StreamContainersResponse)
  grpc::Status ContainerStatus(grpc::ServerContext *, const runtime::v1::ContainerStatusRequest *,
                               runtime::v1::ContainerStatusResponse *) override;
  // Calls on containers already made (crid/runtime_service_extras.cpp).
  grpc::Status UpdateContainerResources(grpc::ServerContext *, const runtime::v1::UpdateContainerResourcesRequest *,
                                        runtime::v1::UpdateContainerResourcesResponse *) override;
  grpc::Status ReopenContainerLog(grpc::ServerContext *, const runtime::v1::ReopenContainerLogRequest *,
                                  runtime::v1::ReopenContainerLogResponse *) override;
  grpc::Status ExecSync(grpc::ServerContext *, const runtime::v1::ExecSyncRequest *,
                        runtime::v1::ExecSyncResponse *) override;
  // Streaming (crid/runtime_service_streaming.cpp): URLs on the streaming server.
  void set_stream_server(streaming::Server *server) { stream_ = server; }
  grpc::Status Exec(grpc::ServerContext *, const runtime::v1::ExecRequest *, runtime::v1::ExecResponse *) override;
  grpc::Status Attach(grpc::ServerContext *, const runtime::v1::AttachRequest *,
                      runtime::v1::AttachResponse *) override;
  grpc::Status PortForward(grpc::ServerContext *, const runtime::v1::PortForwardRequest *,
                           runtime::v1::PortForwardResponse *) override;
  grpc::Status ContainerStats(grpc::ServerContext *, const runtime::v1::ContainerStatsRequest *,
                              runtime::v1::ContainerStatsResponse *) override;
  grpc::Status ListContainerStats(grpc::ServerContext *, const runtime::v1::ListContainerStatsRequest *,
                                  runtime::v1::ListContainerStatsResponse *) override;
  CRID_NOT_YET_STREAM(StreamContainerStats, StreamContainerStatsRequest, StreamContainerStatsResponse)
  grpc::Status PodSandboxStats(grpc::ServerContext *, const runtime::v1::PodSandboxStatsRequest *,
                               runtime::v1::PodSandboxStatsResponse *) override;
  grpc::Status ListPodSandboxStats(grpc::ServerContext *, const runtime::v1::ListPodSandboxStatsRequest *,
                                   runtime::v1::ListPodSandboxStatsResponse *) override;
  CRID_NOT_YET_STREAM(StreamPodSandboxStats, StreamPodSandboxStatsRequest, StreamPodSandboxStatsResponse)
  CRID_NOT_YET(UpdateRuntimeConfig)
  CRID_NOT_YET(CheckpointContainer)
  grpc::Status GetContainerEvents(grpc::ServerContext *, const runtime::v1::GetEventsRequest *,
                                  grpc::ServerWriter<runtime::v1::ContainerEventResponse> *) override;
  CRID_NOT_YET(ListMetricDescriptors)
  CRID_NOT_YET(ListPodSandboxMetrics)
  CRID_NOT_YET_STREAM(StreamPodSandboxMetrics, StreamPodSandboxMetricsRequest, StreamPodSandboxMetricsResponse)
  CRID_NOT_YET(RuntimeConfig)
  CRID_NOT_YET(UpdatePodSandboxResources)
#undef CRID_NOT_YET
#undef CRID_NOT_YET_STREAM

 private:
  static grpc::Status not_implemented(const char *method);
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
