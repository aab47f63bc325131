// RuntimeService's streaming calls: Exec, Attach and PortForward check the
// request and the container (or pod), then hand out a single-use URL on
// crid's streaming server (crid/streaming/server.h), which does the work when
// the client comes. GetContainerEvents streams the EventBus
// (crid/container_events.h).
#include "crid/container_events.h"
#include "crid/grpc_status.h"
#include "crid/log.h"
#include "crid/runtime_service.h"
#include "crid/streaming/server.h"

namespace berth::crid {

namespace {

rpc::Status invalid(std::string message) {
  return rpc::Status(rpc::StatusCode::INVALID_ARGUMENT, std::move(message));
}

// The kubelet's own checks (k8s.io/kubelet/pkg/cri/streaming), so that a
// request it would refuse is refused here too.
rpc::Status check_streams(const char *call, bool tty, bool in, bool out, bool err) {
  if (tty && err)
    return invalid(fmt::format("{}: tty and stderr cannot both be true (a terminal has one output stream)", call));
  if (!in && !out && !err) return invalid(fmt::format("{}: one of stdin, stdout, or stderr must be set", call));
  return rpc::Status::OK;
}

rpc::Status not_running(const char *what, const ContainerRecord &record) {
  return rpc::Status(rpc::StatusCode::FAILED_PRECONDITION,
                      fmt::format("{} {}: it is {}, not running", what, record.id, to_string(record.state)));
}

// Exec and Attach requests carry the same stream flags.
template <typename Request>
streaming::StreamRequest stream_request(streaming::StreamKind kind, const std::string &id, const Request &request) {
  streaming::StreamRequest r;
  r.kind = kind;
  r.id = id;
  r.tty = request.tty();
  r.stdin = request.stdin();
  r.stdout = request.stdout();
  r.stderr = request.stderr();
  return r;
}

}  // namespace

rpc::Status RuntimeService::Exec(rpc::CallContext *, const runtime::v1::ExecRequest *request,
                                  runtime::v1::ExecResponse *response) {
  if (!pods_ || !stream_) return rpc::Status(rpc::StatusCode::UNAVAILABLE, "Exec: crid's streaming server is not running");
  if (request->container_id().empty()) return invalid("Exec: missing required container_id");
  if (request->cmd().empty()) return invalid(fmt::format("Exec in {}: no command", request->container_id()));
  auto ok = check_streams("Exec", request->tty(), request->stdin(), request->stdout(), request->stderr());
  if (!ok.ok()) return ok;
  auto record = pods_->container(request->container_id());
  if (!record) return to_status(record.error());
  if (record->state != ContainerState::Running) return not_running("Exec in container", *record);
  auto r = stream_request(streaming::StreamKind::exec, record->id, *request);
  r.cmd.assign(request->cmd().begin(), request->cmd().end());
  response->set_url(stream_->url_for(std::move(r)));
  return rpc::Status::OK;
}

rpc::Status RuntimeService::Attach(rpc::CallContext *, const runtime::v1::AttachRequest *request,
                                    runtime::v1::AttachResponse *response) {
  if (!pods_ || !stream_)
    return rpc::Status(rpc::StatusCode::UNAVAILABLE, "Attach: crid's streaming server is not running");
  if (request->container_id().empty()) return invalid("Attach: missing required container_id");
  auto ok = check_streams("Attach", request->tty(), request->stdin(), request->stdout(), request->stderr());
  if (!ok.ok()) return ok;
  auto record = pods_->container(request->container_id());
  if (!record) return to_status(record.error());
  if (record->state != ContainerState::Running) return not_running("Attach to container", *record);
  // Input needs a stdin the monitor holds open, as kubectl attach -i does.
  if (request->stdin() && !record->config.stdin())
    return invalid(fmt::format("Attach to container {}: stdin requested, but the container was created without stdin",
                               record->id));
  auto r = stream_request(streaming::StreamKind::attach, record->id, *request);
  r.stdin_once = request->stdin() && record->config.stdin_once();
  response->set_url(stream_->url_for(std::move(r)));
  return rpc::Status::OK;
}

rpc::Status RuntimeService::PortForward(rpc::CallContext *, const runtime::v1::PortForwardRequest *request,
                                         runtime::v1::PortForwardResponse *response) {
  if (!pods_ || !stream_)
    return rpc::Status(rpc::StatusCode::UNAVAILABLE, "PortForward: crid's streaming server is not running");
  if (request->pod_sandbox_id().empty()) return invalid("PortForward: missing required pod_sandbox_id");
  for (int32_t port : request->port())
    if (port <= 0 || port > 65535) return invalid(fmt::format("PortForward: port {} is out of range 1-65535", port));
  auto record = pods_->sandbox(request->pod_sandbox_id());
  if (!record) return to_status(record.error());
  if (record->state != SandboxState::Ready)
    return rpc::Status(rpc::StatusCode::FAILED_PRECONDITION,
                        fmt::format("PortForward to pod sandbox {}: it is not ready", record->id));
  streaming::StreamRequest r;
  r.kind = streaming::StreamKind::port_forward;
  r.id = record->id;
  r.ports.assign(request->port().begin(), request->port().end());
  response->set_url(stream_->url_for(std::move(r)));
  return rpc::Status::OK;
}

rpc::Status RuntimeService::GetContainerEvents(rpc::CallContext *context, const runtime::v1::GetEventsRequest *,
                                                rpc::Writer<runtime::v1::ContainerEventResponse> *writer) {
  if (!pods_) return rpc::Status(rpc::StatusCode::UNAVAILABLE, "GetContainerEvents: crid serves no pods");
  PodManager &pods = *pods_;
  auto fill = [&pods](const LifecycleEvent &event, runtime::v1::ContainerEventResponse *out) {
    runtime::v1::PodSandboxStatusResponse pod;
    // A deleted pod has no status: the kubelet drops it from its cache on the delete event.
    if (!pods.sandbox_status(event.sandbox_id, false, &pod)) return;
    *out->mutable_pod_sandbox_status() = std::move(*pod.mutable_status());
    runtime::v1::ContainerFilter filter;
    filter.set_pod_sandbox_id(event.sandbox_id);
    runtime::v1::ListContainersResponse list;
    pods.list_containers(filter, &list);
    for (const auto &c : list.containers()) {
      runtime::v1::ContainerStatusResponse status;
      if (pods.container_status(c.id(), false, &status)) *out->add_containers_statuses() = std::move(*status.mutable_status());
    }
  };
  return stream_container_events(pods.events(), fill, context, writer);
}

}  // namespace berth::crid
