#include "crid/exit_watcher.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>

#include <cerrno>
#include <cstring>

#include "crid/log.h"

namespace berth::crid {

Result<std::unique_ptr<ExitWatcher>> ExitWatcher::start(Callback callback, std::string file_name) {
  Fd in(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!in) return sys_error(errno, "start the exit watcher: inotify");
  Fd wake(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!wake) return sys_error(errno, "start the exit watcher: eventfd");
  std::unique_ptr<ExitWatcher> w(new ExitWatcher(std::move(in), std::move(wake), std::move(callback), std::move(file_name)));
  w->thread_ = std::thread([raw = w.get()] { raw->run(); });
  return w;
}

ExitWatcher::ExitWatcher(Fd inotify, Fd wake, Callback callback, std::string file_name)
    : inotify_(std::move(inotify)), wake_(std::move(wake)), callback_(std::move(callback)),
      file_name_(std::move(file_name)) {}

ExitWatcher::~ExitWatcher() { stop(); }

void ExitWatcher::stop() {
  if (!thread_.joinable()) return;
  uint64_t one = 1;
  // An eventfd write fails only when the counter would overflow, which
  // still leaves it readable: the thread wakes either way.
  if (::write(wake_.get(), &one, sizeof one) < 0) {
  }
  thread_.join();
}

Result<void> ExitWatcher::watch(const std::string &dir, const std::string &key) {
  int wd = ::inotify_add_watch(inotify_.get(), dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_ONLYDIR);
  if (wd < 0) return sys_error(errno, "watch {} for its exit file", dir);
  std::lock_guard lock(mu_);
  keys_[wd] = key;
  return {};
}

void ExitWatcher::run() {
  alignas(struct inotify_event) char buf[16384];
  for (;;) {
    struct pollfd p[2] = {{inotify_.get(), POLLIN, 0}, {wake_.get(), POLLIN, 0}};
    if (::poll(p, 2, -1) < 0) {
      if (errno == EINTR) continue;
      log::error("exit watcher: poll: {}", std::strerror(errno));
      return;
    }
    if (p[1].revents) return;
    ssize_t n = ::read(inotify_.get(), buf, sizeof buf);
    if (n <= 0) continue;
    for (char *at = buf; at < buf + n;) {
      auto *ev = reinterpret_cast<struct inotify_event *>(at);
      at += sizeof(struct inotify_event) + ev->len;
      std::string key;
      {
        std::lock_guard lock(mu_);
        auto it = keys_.find(ev->wd);
        if (it == keys_.end()) continue;
        if (ev->mask & IN_IGNORED) {  // the directory is gone
          keys_.erase(it);
          continue;
        }
        if (ev->len == 0 || file_name_ != ev->name) continue;
        key = it->second;
      }
      callback_(key);
    }
  }
}

}  // namespace berth::crid
