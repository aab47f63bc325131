// Lifecycle transitions of containers and pod sandboxes, published as they are
// recorded; subscribers (issue 8's GetContainerEvents) get each one in order.
// Handlers run on the publishing thread and must not block or call back into crid.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>

namespace berth::crid {

struct LifecycleEvent {
  enum class Kind { ContainerCreated, ContainerStarted, ContainerStopped, ContainerDeleted,
                    SandboxCreated, SandboxStopped, SandboxDeleted };
  Kind kind;
  std::string id;          // the container's (or sandbox's) id
  std::string sandbox_id;  // the pod of the container (or the sandbox itself)
  int64_t at_ns = 0;
};

class EventBus {
 public:
  using Handler = std::function<void(const LifecycleEvent &)>;
  // Returns a token for unsubscribe.
  uint64_t subscribe(Handler handler);
  void unsubscribe(uint64_t token);
  void publish(const LifecycleEvent &event);

 private:
  std::mutex mu_;
  uint64_t next_ = 1;
  std::map<uint64_t, Handler> handlers_;
};

}  // namespace berth::crid
