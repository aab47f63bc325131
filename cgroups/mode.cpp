#include <linux/magic.h>
#include <sys/vfs.h>

#include "cgroups/manager.h"

namespace berth::cgroups {

Result<Mode> detect_mode(const std::string &root) {
  struct statfs st;
  if (::statfs(root.c_str(), &st) != 0) return sys_error(errno, "statfs {}", root);
  if (st.f_type == CGROUP2_SUPER_MAGIC) return Mode::Unified;
  // systemd's hybrid layout: v1 hierarchies on a tmpfs, plus a cgroup2 at unified/.
  // A missing unified/ just means legacy.
  std::string unified = root + "/unified";
  if (::statfs(unified.c_str(), &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC) return Mode::Hybrid;
  return Mode::Legacy;
}

}  // namespace berth::cgroups
