// CRI RuntimeService: Version and Status now. Pod sandboxes, containers,
// streaming and stats come with the next issues; until then each of those
// calls answers UNIMPLEMENTED, naming the call, as gRPC servers do for
// methods they do not serve.
#pragma once

#include <string>

#include "crid/config.h"
#include "crid/cri_api.h"

namespace berth::crid {

class RuntimeService final : public runtime::v1::RuntimeService::Service {
 public:
  explicit RuntimeService(const Config &config) : config_(config) {}

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
  CRID_NOT_YET(RunPodSandbox)
  CRID_NOT_YET(StopPodSandbox)
  CRID_NOT_YET(RemovePodSandbox)
  CRID_NOT_YET(PodSandboxStatus)
  CRID_NOT_YET(ListPodSandbox)
  CRID_NOT_YET_STREAM(StreamPodSandboxes, StreamPodSandboxesRequest, StreamPodSandboxesResponse)
  CRID_NOT_YET(CreateContainer)
  CRID_NOT_YET(StartContainer)
  CRID_NOT_YET(StopContainer)
  CRID_NOT_YET(RemoveContainer)
  CRID_NOT_YET(ListContainers)
  CRID_NOT_YET_STREAM(StreamContainers, StreamContainersRequest, StreamContainersResponse)
  CRID_NOT_YET(ContainerStatus)
  CRID_NOT_YET(UpdateContainerResources)
  CRID_NOT_YET(ReopenContainerLog)
  CRID_NOT_YET(ExecSync)
  CRID_NOT_YET(Exec)
  CRID_NOT_YET(Attach)
  CRID_NOT_YET(PortForward)
  CRID_NOT_YET(ContainerStats)
  CRID_NOT_YET(ListContainerStats)
  CRID_NOT_YET_STREAM(StreamContainerStats, StreamContainerStatsRequest, StreamContainerStatsResponse)
  CRID_NOT_YET(PodSandboxStats)
  CRID_NOT_YET(ListPodSandboxStats)
  CRID_NOT_YET_STREAM(StreamPodSandboxStats, StreamPodSandboxStatsRequest, StreamPodSandboxStatsResponse)
  CRID_NOT_YET(UpdateRuntimeConfig)
  CRID_NOT_YET(CheckpointContainer)
  CRID_NOT_YET_STREAM(GetContainerEvents, GetEventsRequest, ContainerEventResponse)
  CRID_NOT_YET(ListMetricDescriptors)
  CRID_NOT_YET(ListPodSandboxMetrics)
  CRID_NOT_YET_STREAM(StreamPodSandboxMetrics, StreamPodSandboxMetricsRequest, StreamPodSandboxMetricsResponse)
  CRID_NOT_YET(RuntimeConfig)
  CRID_NOT_YET(UpdatePodSandboxResources)
#undef CRID_NOT_YET
#undef CRID_NOT_YET_STREAM

 private:
  static grpc::Status not_implemented(const char *method);
  const Config &config_;
};

}  // namespace berth::crid
