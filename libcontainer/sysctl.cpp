#include "libcontainer/sysctl.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>

#include "libcontainer/fd.h"

namespace berth {

Result<void> apply_sysctls(const std::map<std::string, std::string> &sysctl) {
  for (const auto &[key, value] : sysctl) {
    if (key.empty() || key.find("..") != std::string::npos || key.front() == '/' || key.front() == '.')
      return make_error("linux.sysctl \"{}\": not a sysctl name", key);
    std::string path = "/proc/sys/" + key;
    std::replace(path.begin() + 10, path.end(), '.', '/');
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOFOLLOW));
    if (!fd) return sys_error(errno, "linux.sysctl \"{}\": open {}", key, path);
    ssize_t n = ::write(fd.get(), value.data(), value.size());
    if (n < 0) return sys_error(errno, "linux.sysctl \"{}\": write \"{}\" to {}", key, value, path);
    if (static_cast<size_t>(n) != value.size())
      return make_error("linux.sysctl \"{}\": short write to {}", key, path);
  }
  return {};
}

}  // namespace berth
