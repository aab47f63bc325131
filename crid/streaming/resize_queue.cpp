#include "crid/streaming/resize_queue.h"

#include <nlohmann/json.hpp>

namespace berth::crid::streaming {

std::string term_size_json(TermSize size) {
  return fmt::format("{{\"Width\":{},\"Height\":{}}}", size.width, size.height);
}

Result<TermSize> term_size_from_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return make_error("resize: not a JSON object: {}", std::string(text));
  auto get = [&](const char *k) -> Result<uint16_t> {
    if (!j.contains(k) || !j[k].is_number_unsigned() || j[k].get<uint64_t>() > 0xffff)
      return make_error("resize: {} missing or not a terminal dimension in {}", k, std::string(text));
    return j[k].get<uint16_t>();
  };
  TermSize s;
  s.width = TRY(get("Width"));
  s.height = TRY(get("Height"));
  return s;
}

void ResizeQueue::push(TermSize size) {
  {
    std::lock_guard lock(mu_);
    if (closed_) return;
    sizes_.push_back(size);
  }
  cv_.notify_all();
}

std::optional<TermSize> ResizeQueue::pop() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return closed_ || !sizes_.empty(); });
  if (sizes_.empty()) return std::nullopt;
  TermSize s = sizes_.front();
  sizes_.pop_front();
  return s;
}

std::optional<TermSize> ResizeQueue::try_pop_latest() {
  std::lock_guard lock(mu_);
  if (sizes_.empty()) return std::nullopt;
  TermSize s = sizes_.back();
  sizes_.clear();
  return s;
}

std::optional<TermSize> ResizeQueue::pop_latest_within(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return closed_ || !sizes_.empty(); });
  if (sizes_.empty()) return std::nullopt;
  TermSize s = sizes_.back();
  sizes_.clear();
  return s;
}

void ResizeQueue::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

}  // namespace berth::crid::streaming
