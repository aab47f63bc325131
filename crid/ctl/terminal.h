// cridctl's terminal while a remote command or attach runs with -t: raw mode
// on its stdin (so keys reach the container as typed, ^C included), restored
// on every path out; and the window size, sent at the start and on SIGWINCH.
#pragma once

#include <termios.h>

#include <atomic>
#include <optional>
#include <thread>

#include "crid/streaming/resize_queue.h"

namespace berth::cridctl {

// The size of the terminal on fd, if it is one.
std::optional<crid::streaming::TermSize> terminal_size(int fd);

class RawTerminal {
 public:
  // Puts fd in raw mode when it is a terminal; otherwise does nothing.
  explicit RawTerminal(int fd);
  ~RawTerminal();
  RawTerminal(const RawTerminal &) = delete;
  RawTerminal &operator=(const RawTerminal &) = delete;

 private:
  int fd_;
  bool active_ = false;
  termios saved_{};
};

// Pushes the size of the terminal on fd to queue now and whenever SIGWINCH
// arrives, until destroyed. SIGWINCH must be blocked in every thread (call
// block_sigwinch() before starting any), so that only this one takes it.
class ResizeWatcher {
 public:
  ResizeWatcher(int fd, crid::streaming::ResizeQueue &queue);
  ~ResizeWatcher();

 private:
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

void block_sigwinch();

}  // namespace berth::cridctl
