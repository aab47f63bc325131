// Being told when the OOM killer acts in a cgroup: v1 through an eventfd
// registered in cgroup.event_control for memory.oom_control, v2 through
// inotify on memory.events, whose oom_kill count then tells what happened.
#pragma once

#include <cstdint>
#include <string>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::cgroups {

class OomWatch {
 public:
  static Result<OomWatch> open_v1(const std::string &memory_dir);
  static Result<OomWatch> open_v2(const std::string &dir);

  // Readable (poll POLLIN) when something may have happened.
  int fd() const { return fd_.get(); }
  // After fd() polled readable: how many OOM events there were since the last call.
  Result<uint64_t> take();

 private:
  OomWatch(bool v2, Fd fd, Fd control, std::string file, uint64_t seen)
      : v2_(v2), fd_(std::move(fd)), control_(std::move(control)), file_(std::move(file)), seen_(seen) {}
  bool v2_;
  Fd fd_;
  Fd control_;        // v1: memory.oom_control, held open while registered
  std::string file_;  // v1: memory.oom_control; v2: memory.events
  uint64_t seen_ = 0;  // v2: oom_kill count already reported
};

}  // namespace berth::cgroups
