#include "crid/exit_wait.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

#include "libcontainer/fd.h"

namespace berth::crid {

Result<bool> wait_for_file(const std::string &path, std::chrono::milliseconds timeout) {
  auto slash = path.rfind('/');
  std::string dir = slash == 0 ? "/" : path.substr(0, slash);
  Fd in(::inotify_init1(IN_CLOEXEC | IN_NONBLOCK));
  if (!in) return sys_error(errno, "watch {}", dir);
  // The watch first, then the check: a file renamed in between is not missed.
  if (::inotify_add_watch(in.get(), dir.c_str(), IN_MOVED_TO | IN_CLOSE_WRITE | IN_CREATE | IN_DELETE_SELF) < 0)
    return sys_error(errno, "watch {}", dir);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (::access(path.c_str(), F_OK) == 0) return true;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    struct pollfd p = {in.get(), POLLIN, 0};
    int n = ::poll(&p, 1, int(left.count()));
    if (n < 0 && errno != EINTR) return sys_error(errno, "wait for {}", path);
    char buf[4096];
    while (::read(in.get(), buf, sizeof buf) > 0) {
    }
  }
}

}  // namespace berth::crid
