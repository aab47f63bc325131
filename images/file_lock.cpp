#include "images/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>

#include <cerrno>

namespace berth::images {

Result<FileLock> FileLock::acquire(const std::string &path) {
  Fd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!fd) return sys_error(errno, "open lock file {}", path);
  int rc;
  do {
    rc = ::flock(fd.get(), LOCK_EX);
  } while (rc < 0 && errno == EINTR);
  if (rc < 0) return sys_error(errno, "lock {}", path);
  return FileLock(std::move(fd));
}

}  // namespace berth::images
