// Terminal size changes travelling from a streaming client to the process's
// pty: the protocol side pushes, the backend pops (blocking) until closed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <optional>
#include <string_view>

#include "libcontainer/result.h"

namespace berth::crid::streaming {

struct TermSize {
  uint16_t width = 0;   // columns
  uint16_t height = 0;  // rows
  bool operator==(const TermSize &) const = default;
};

// {"Width":80,"Height":24}, as remotecommand's resize stream carries it.
std::string term_size_json(TermSize size);
Result<TermSize> term_size_from_json(std::string_view json);

class ResizeQueue {
 public:
  void push(TermSize size);
  // Blocks until a size arrives or the queue is closed (then nullopt).
  std::optional<TermSize> pop();
  // Non-blocking: the latest pending size, if any.
  std::optional<TermSize> try_pop_latest();
  // The latest size, waiting up to `timeout` for a first one to arrive.
  std::optional<TermSize> pop_latest_within(std::chrono::milliseconds timeout);
  void close();

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<TermSize> sizes_;
  bool closed_ = false;
};

}  // namespace berth::crid::streaming
