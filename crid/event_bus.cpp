#include "crid/event_bus.h"

namespace berth::crid {

uint64_t EventBus::subscribe(Handler handler) {
  std::lock_guard lock(mu_);
  uint64_t token = next_++;
  handlers_.emplace(token, std::move(handler));
  return token;
}

void EventBus::unsubscribe(uint64_t token) {
  std::lock_guard lock(mu_);
  handlers_.erase(token);
}

void EventBus::publish(const LifecycleEvent &event) {
  // Under the lock: events reach every subscriber in the order they were published.
  std::lock_guard lock(mu_);
  for (auto &[token, handler] : handlers_) handler(event);
}

}  // namespace berth::crid
