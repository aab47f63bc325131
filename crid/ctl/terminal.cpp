#include "crid/ctl/terminal.h"

#include <signal.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <ctime>

namespace berth::cridctl {

std::optional<crid::streaming::TermSize> terminal_size(int fd) {
  winsize ws{};
  if (::ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_col == 0) return std::nullopt;
  return crid::streaming::TermSize{ws.ws_col, ws.ws_row};
}

RawTerminal::RawTerminal(int fd) : fd_(fd) {
  if (!::isatty(fd) || ::tcgetattr(fd, &saved_) < 0) return;
  termios raw = saved_;
  ::cfmakeraw(&raw);
  if (::tcsetattr(fd, TCSANOW, &raw) == 0) active_ = true;
}

RawTerminal::~RawTerminal() {
  if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
}

void block_sigwinch() {
  sigset_t s;
  sigemptyset(&s);
  sigaddset(&s, SIGWINCH);
  pthread_sigmask(SIG_BLOCK, &s, nullptr);
}

ResizeWatcher::ResizeWatcher(int fd, crid::streaming::ResizeQueue &queue) {
  if (auto size = terminal_size(fd)) queue.push(*size);
  thread_ = std::thread([this, fd, &queue] {
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGWINCH);
    // A timeout, so the destructor's stop flag is seen without a signal.
    timespec tick{0, 200 * 1000 * 1000};
    while (!stop_) {
      if (::sigtimedwait(&s, nullptr, &tick) == SIGWINCH)
        if (auto size = terminal_size(fd)) queue.push(*size);
    }
  });
}

ResizeWatcher::~ResizeWatcher() {
  stop_ = true;
  thread_.join();
}

}  // namespace berth::cridctl
