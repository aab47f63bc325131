#include "crid/service_methods.h"

namespace berth::crid {

namespace {

constexpr std::string_view kRuntime = "runtime.v1.RuntimeService";
constexpr std::string_view kImages = "runtime.v1.ImageService";
constexpr std::string_view kPullProgress = "berth.pull.v1.PullProgress";

// CRI calls crid does not serve: they answer UNIMPLEMENTED naming the call,
// so a client can tell "not served" from a path it got wrong.
constexpr std::string_view kRuntimeNotServed[] = {
    "StreamPodSandboxes",  "StreamContainers",      "StreamContainerStats",    "StreamPodSandboxStats",
    "UpdateRuntimeConfig", "CheckpointContainer",   "ListMetricDescriptors",   "ListPodSandboxMetrics",
    "StreamPodSandboxMetrics", "RuntimeConfig",     "UpdatePodSandboxResources",
};

}  // namespace

void add_cri_methods(rpc::Server &server, RuntimeService &runtime, ImageService &images) {
  auto add = [&](std::string_view service, std::string_view method, rpc::Handler handler) {
    server.add_method(rpc::method_path(service, method), std::move(handler));
  };
  using R = RuntimeService;
  add(kRuntime, "Version", rpc::unary(&runtime, &R::Version));
  add(kRuntime, "Status", rpc::unary(&runtime, &R::Status));
  add(kRuntime, "RunPodSandbox", rpc::unary(&runtime, &R::RunPodSandbox));
  add(kRuntime, "StopPodSandbox", rpc::unary(&runtime, &R::StopPodSandbox));
  add(kRuntime, "RemovePodSandbox", rpc::unary(&runtime, &R::RemovePodSandbox));
  add(kRuntime, "PodSandboxStatus", rpc::unary(&runtime, &R::PodSandboxStatus));
  add(kRuntime, "ListPodSandbox", rpc::unary(&runtime, &R::ListPodSandbox));
  add(kRuntime, "CreateContainer", rpc::unary(&runtime, &R::CreateContainer));
  add(kRuntime, "StartContainer", rpc::unary(&runtime, &R::StartContainer));
  add(kRuntime, "StopContainer", rpc::unary(&runtime, &R::StopContainer));
  add(kRuntime, "RemoveContainer", rpc::unary(&runtime, &R::RemoveContainer));
  add(kRuntime, "ListContainers", rpc::unary(&runtime, &R::ListContainers));
  add(kRuntime, "ContainerStatus", rpc::unary(&runtime, &R::ContainerStatus));
  add(kRuntime, "UpdateContainerResources", rpc::unary(&runtime, &R::UpdateContainerResources));
  add(kRuntime, "ReopenContainerLog", rpc::unary(&runtime, &R::ReopenContainerLog));
  add(kRuntime, "ExecSync", rpc::unary(&runtime, &R::ExecSync));
  add(kRuntime, "Exec", rpc::unary(&runtime, &R::Exec));
  add(kRuntime, "Attach", rpc::unary(&runtime, &R::Attach));
  add(kRuntime, "PortForward", rpc::unary(&runtime, &R::PortForward));
  add(kRuntime, "ContainerStats", rpc::unary(&runtime, &R::ContainerStats));
  add(kRuntime, "ListContainerStats", rpc::unary(&runtime, &R::ListContainerStats));
  add(kRuntime, "PodSandboxStats", rpc::unary(&runtime, &R::PodSandboxStats));
  add(kRuntime, "ListPodSandboxStats", rpc::unary(&runtime, &R::ListPodSandboxStats));
  add(kRuntime, "GetContainerEvents", rpc::server_streaming(&runtime, &R::GetContainerEvents));
  for (std::string_view method : kRuntimeNotServed) {
    std::string message = fmt::format("crid does not implement RuntimeService.{}", method);
    add(kRuntime, method, [message](rpc::ServerCall &) { return rpc::Status(rpc::StatusCode::UNIMPLEMENTED, message); });
  }

  using I = ImageService;
  add(kImages, "ListImages", rpc::unary(&images, &I::ListImages));
  add(kImages, "StreamImages", rpc::server_streaming(&images, &I::StreamImages));
  add(kImages, "ImageStatus", rpc::unary(&images, &I::ImageStatus));
  add(kImages, "PullImage", rpc::unary(&images, &I::PullImage));
  add(kImages, "RemoveImage", rpc::unary(&images, &I::RemoveImage));
  add(kImages, "ImageFsInfo", rpc::unary(&images, &I::ImageFsInfo));
}

void add_pull_progress_methods(rpc::Server &server, PullProgressService &pull_progress) {
  server.add_method(rpc::method_path(kPullProgress, "PullImage"),
                    rpc::server_streaming(&pull_progress, &PullProgressService::PullImage));
}

}  // namespace berth::crid
