// GetContainerEvents: lifecycle events from crid's EventBus streamed to a CRI
// client (the kubelet's evented PLEG), each with the pod's status and its
// containers' statuses as they are when the event is sent, as containerd does.
//
// Publishers never wait for a subscriber: each stream has a bounded queue,
// and a subscriber that falls that far behind is disconnected (with a log
// line) rather than fed a history with holes; the kubelet then reconnects
// and relists.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>

#include "crid/cri_api.h"
#include "crid/event_bus.h"
#include "crid/rpc/call.h"
#include "crid/rpc/status.h"

namespace berth::crid {

// One subscriber's queue on the bus, unsubscribed when destroyed.
class EventSubscription {
 public:
  EventSubscription(EventBus &bus, size_t capacity);
  ~EventSubscription();
  EventSubscription(const EventSubscription &) = delete;
  EventSubscription &operator=(const EventSubscription &) = delete;

  // The next event, waiting at most timeout; nullopt on timeout or overflow.
  std::optional<LifecycleEvent> next(std::chrono::milliseconds timeout);
  // True once an event was refused because the queue was full.
  bool overflowed() const;

 private:
  EventBus &bus_;
  size_t capacity_;
  uint64_t token_ = 0;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<LifecycleEvent> queue_;
  bool overflowed_ = false;
};

runtime::v1::ContainerEventType to_cri_event(LifecycleEvent::Kind kind);

// Fills the pod's status and its containers' statuses into the response; a
// pod that is gone leaves pod_sandbox_status unset.
using EventStatusFn = std::function<void(const LifecycleEvent &, runtime::v1::ContainerEventResponse *)>;

struct EventStreamOptions {
  size_t queue_capacity = 4096;
  // How often a quiet stream checks whether its client went away.
  std::chrono::milliseconds cancel_poll = std::chrono::milliseconds(100);
};

// Serves one GetContainerEvents call until the client cancels (OK), falls
// behind (RESOURCE_EXHAUSTED) or the stream breaks.
rpc::Status stream_container_events(EventBus &bus, const EventStatusFn &status, rpc::CallContext *context,
                                     rpc::Writer<runtime::v1::ContainerEventResponse> *writer,
                                     const EventStreamOptions &options = {});

}  // namespace berth::crid
