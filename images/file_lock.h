// An exclusive flock(2) on a file, held while the object lives: serialises
// work on one blob or layer between threads and between processes. The
// kernel drops it when the holder dies, so a killed fetcher blocks nobody.
#pragma once

#include <string>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::images {

class FileLock {
 public:
  // Creates path if missing and waits for the lock.
  static Result<FileLock> acquire(const std::string &path);

 private:
  explicit FileLock(Fd fd) : fd_(std::move(fd)) {}
  Fd fd_;
};

}  // namespace berth::images
