// RuntimeService's pod sandbox and container calls: requests to PodManager
// calls, errors to gRPC statuses (crid/grpc_status.h).
#include "crid/grpc_status.h"
#include "crid/log.h"
#include "crid/runtime_service.h"

namespace berth::crid {

namespace {

rpc::Status failed(const char *call, const Error &error) {
  log::warning("{}: {}", call, error.message);
  return to_status(error);
}

rpc::Status unavailable() {
  return rpc::Status(rpc::StatusCode::UNAVAILABLE, "crid serves no pods: its pod manager did not start");
}

}  // namespace

#define CRID_NEED_PODS() \
  if (!pods_) return unavailable()

rpc::Status RuntimeService::RunPodSandbox(rpc::CallContext *, const runtime::v1::RunPodSandboxRequest *request,
                                           runtime::v1::RunPodSandboxResponse *response) {
  CRID_NEED_PODS();
  auto id = pods_->run_sandbox(*request);
  if (!id) return failed("RunPodSandbox", id.error());
  response->set_pod_sandbox_id(*id);
  return rpc::Status::OK;
}

rpc::Status RuntimeService::StopPodSandbox(rpc::CallContext *, const runtime::v1::StopPodSandboxRequest *request,
                                            runtime::v1::StopPodSandboxResponse *) {
  CRID_NEED_PODS();
  if (auto r = pods_->stop_sandbox(request->pod_sandbox_id()); !r) return failed("StopPodSandbox", r.error());
  return rpc::Status::OK;
}

rpc::Status RuntimeService::RemovePodSandbox(rpc::CallContext *, const runtime::v1::RemovePodSandboxRequest *request,
                                              runtime::v1::RemovePodSandboxResponse *) {
  CRID_NEED_PODS();
  std::vector<std::string> gone;
  if (auto id = pods_->store().resolve_sandbox(request->pod_sandbox_id())) {
    gone = pods_->store().containers_of(*id);
    gone.push_back(*id);
  }
  if (auto r = pods_->remove_sandbox(request->pod_sandbox_id()); !r) return failed("RemovePodSandbox", r.error());
  forget_samples(gone);
  return rpc::Status::OK;
}

rpc::Status RuntimeService::PodSandboxStatus(rpc::CallContext *, const runtime::v1::PodSandboxStatusRequest *request,
                                              runtime::v1::PodSandboxStatusResponse *response) {
  CRID_NEED_PODS();
  if (auto r = pods_->sandbox_status(request->pod_sandbox_id(), request->verbose(), response); !r)
    return failed("PodSandboxStatus", r.error());
  return rpc::Status::OK;
}

rpc::Status RuntimeService::ListPodSandbox(rpc::CallContext *, const runtime::v1::ListPodSandboxRequest *request,
                                            runtime::v1::ListPodSandboxResponse *response) {
  CRID_NEED_PODS();
  pods_->list_sandboxes(request->filter(), response);
  return rpc::Status::OK;
}

rpc::Status RuntimeService::CreateContainer(rpc::CallContext *, const runtime::v1::CreateContainerRequest *request,
                                             runtime::v1::CreateContainerResponse *response) {
  CRID_NEED_PODS();
  auto id = pods_->create_container(*request);
  if (!id) return failed("CreateContainer", id.error());
  response->set_container_id(*id);
  return rpc::Status::OK;
}

rpc::Status RuntimeService::StartContainer(rpc::CallContext *, const runtime::v1::StartContainerRequest *request,
                                            runtime::v1::StartContainerResponse *) {
  CRID_NEED_PODS();
  if (auto r = pods_->start_container(request->container_id()); !r) return failed("StartContainer", r.error());
  return rpc::Status::OK;
}

rpc::Status RuntimeService::StopContainer(rpc::CallContext *, const runtime::v1::StopContainerRequest *request,
                                           runtime::v1::StopContainerResponse *) {
  CRID_NEED_PODS();
  if (auto r = pods_->stop_container(request->container_id(), request->timeout()); !r)
    return failed("StopContainer", r.error());
  return rpc::Status::OK;
}

rpc::Status RuntimeService::RemoveContainer(rpc::CallContext *, const runtime::v1::RemoveContainerRequest *request,
                                             runtime::v1::RemoveContainerResponse *) {
  CRID_NEED_PODS();
  auto id = pods_->store().resolve_container(request->container_id());
  if (auto r = pods_->remove_container(request->container_id()); !r) return failed("RemoveContainer", r.error());
  if (id) forget_samples({*id});
  return rpc::Status::OK;
}

rpc::Status RuntimeService::ContainerStatus(rpc::CallContext *, const runtime::v1::ContainerStatusRequest *request,
                                             runtime::v1::ContainerStatusResponse *response) {
  CRID_NEED_PODS();
  if (auto r = pods_->container_status(request->container_id(), request->verbose(), response); !r)
    return failed("ContainerStatus", r.error());
  return rpc::Status::OK;
}

rpc::Status RuntimeService::ListContainers(rpc::CallContext *, const runtime::v1::ListContainersRequest *request,
                                            runtime::v1::ListContainersResponse *response) {
  CRID_NEED_PODS();
  pods_->list_containers(request->filter(), response);
  return rpc::Status::OK;
}

}  // namespace berth::crid
