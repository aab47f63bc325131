#include "cgroups/oom_watch.h"

#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "cgroups/cgroupfs.h"
#include "cgroups/stats.h"

namespace berth::cgroups {

Result<OomWatch> OomWatch::open_v1(const std::string &memory_dir) {
  std::string control = memory_dir + "/memory.oom_control";
  Fd efd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!efd) return sys_error(errno, "eventfd");
  Fd ofd(::open(control.c_str(), O_RDONLY | O_CLOEXEC));
  if (!ofd) return sys_error(errno, "open {}", control);
  TRY_CTX(write_text(memory_dir + "/cgroup.event_control", fmt::format("{} {}", efd.get(), ofd.get())),
          "register for OOM notifications");
  return OomWatch(false, std::move(efd), std::move(ofd), control, 0);
}

Result<OomWatch> OomWatch::open_v2(const std::string &dir) {
  std::string events = dir + "/memory.events";
  Fd ifd(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!ifd) return sys_error(errno, "inotify_init1");
  if (::inotify_add_watch(ifd.get(), events.c_str(), IN_MODIFY) < 0) return sys_error(errno, "watch {}", events);
  auto text = TRY(read_text(events));
  return OomWatch(true, std::move(ifd), Fd(), events, parse_flat_keyed(text)["oom_kill"]);
}

Result<uint64_t> OomWatch::take() {
  if (!v2_) {
    uint64_t count = 0;
    if (::read(fd_.get(), &count, sizeof count) != sizeof count) {
      if (errno == EAGAIN) return 0;
      return sys_error(errno, "read OOM eventfd");
    }
    // The eventfd also fires when the cgroup is removed; only an OOM leaves it behind.
    if (::access(file_.c_str(), F_OK) != 0) return 0;
    return count;
  }
  char buf[4096];
  while (::read(fd_.get(), buf, sizeof buf) > 0) {
  }
  auto text = read_text(file_);
  if (!text) return 0;  // the cgroup is gone
  uint64_t now = parse_flat_keyed(*text)["oom_kill"];
  uint64_t fresh = now > seen_ ? now - seen_ : 0;
  seen_ = now;
  return fresh;
}

}  // namespace berth::cgroups
