#include "crid/create_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>
#include <thread>

namespace berth::crid {

namespace {

std::string lock_path(const std::string &bundle) { return bundle + "/create.lock"; }

}  // namespace

Result<Fd> take_create_lock(const std::string &bundle) {
  std::string path = lock_path(bundle);
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
  if (!fd) return sys_error(errno, "create {}", path);
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return sys_error(errno, "lock {}", path);
  return fd;
}

bool wait_for_create_end(const std::string &bundle, std::chrono::milliseconds timeout) {
  Fd fd(::open(lock_path(bundle).c_str(), O_RDWR | O_CLOEXEC));
  if (!fd) return true;
  auto until = std::chrono::steady_clock::now() + timeout;
  // Polled, not a blocking flock: a monitor stuck in its runtime must not
  // hold crid's startup forever.
  while (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    if (errno != EWOULDBLOCK && errno != EINTR) return true;
    if (std::chrono::steady_clock::now() >= until) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace berth::crid
