#include "crid/container_events.h"

#include "crid/log.h"

namespace berth::crid {

EventSubscription::EventSubscription(EventBus &bus, size_t capacity) : bus_(bus), capacity_(capacity) {
  token_ = bus_.subscribe([this](const LifecycleEvent &event) {
    {
      std::lock_guard lock(mu_);
      if (overflowed_) return;
      if (queue_.size() >= capacity_) {
        overflowed_ = true;
        queue_.clear();
      } else {
        queue_.push_back(event);
      }
    }
    cv_.notify_one();
  });
}

EventSubscription::~EventSubscription() { bus_.unsubscribe(token_); }

std::optional<LifecycleEvent> EventSubscription::next(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return overflowed_ || !queue_.empty(); });
  if (overflowed_ || queue_.empty()) return std::nullopt;
  LifecycleEvent e = std::move(queue_.front());
  queue_.pop_front();
  return e;
}

bool EventSubscription::overflowed() const {
  std::lock_guard lock(mu_);
  return overflowed_;
}

runtime::v1::ContainerEventType to_cri_event(LifecycleEvent::Kind kind) {
  using K = LifecycleEvent::Kind;
  switch (kind) {
    case K::ContainerCreated: return runtime::v1::CONTAINER_CREATED_EVENT;
    // A sandbox is reported started once it is ready, as containerd does: the
    // kubelet's PLEG has no separate "created" step for sandboxes.
    case K::SandboxCreated:
    case K::ContainerStarted: return runtime::v1::CONTAINER_STARTED_EVENT;
    case K::ContainerStopped:
    case K::SandboxStopped: return runtime::v1::CONTAINER_STOPPED_EVENT;
    case K::ContainerDeleted:
    case K::SandboxDeleted: return runtime::v1::CONTAINER_DELETED_EVENT;
  }
  return runtime::v1::CONTAINER_STOPPED_EVENT;
}

rpc::Status stream_container_events(EventBus &bus, const EventStatusFn &status, rpc::CallContext *context,
                                     rpc::Writer<runtime::v1::ContainerEventResponse> *writer,
                                     const EventStreamOptions &options) {
  EventSubscription sub(bus, options.queue_capacity);
  // Cancellation does not wake the subscription: a quiet stream looks every cancel_poll.
  while (!context->is_cancelled()) {
    auto event = sub.next(options.cancel_poll);
    if (!event) {
      if (sub.overflowed()) {
        log::warning("GetContainerEvents: subscriber {} fell {} events behind; disconnecting it", context->peer(),
                     options.queue_capacity);
        return rpc::Status(rpc::StatusCode::RESOURCE_EXHAUSTED,
                            fmt::format("container events: the client fell more than {} events behind; "
                                        "events were lost, reconnect and list",
                                        options.queue_capacity));
      }
      continue;
    }
    runtime::v1::ContainerEventResponse response;
    response.set_container_id(event->id);
    response.set_container_event_type(to_cri_event(event->kind));
    response.set_created_at(event->at_ns);
    if (status) status(*event, &response);
    if (!writer->write(response)) return rpc::Status::OK;  // the client went away
  }
  return rpc::Status::OK;
}

}  // namespace berth::crid
