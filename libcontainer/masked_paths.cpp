#include "libcontainer/masked_paths.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "libcontainer/mounts.h"
#include "libcontainer/safe_path.h"
#include "libcontainer/selinux_label.h"

namespace berth {
namespace {

// The container's root; paths below are resolved from it so that even a magic
// link under /proc cannot point the mount elsewhere.
Result<Fd> open_root() {
  int fd = ::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return sys_error(errno, "open /");
  return Fd(fd);
}

}  // namespace

Result<void> mask_paths(const std::vector<std::string> &paths, const std::string &mount_label) {
  const std::string tmpfs_data = mount_data_with_label("", mount_label);
  Fd root = TRY(open_root());
  for (const auto &p : paths) {
    auto fd = open_in_root(root.get(), p);
    if (!fd && fd.error().code == ENOENT) continue;
    if (!fd) return std::unexpected(fd.error().context(fmt::format("mask {}", p)));
    struct stat st{};
    if (::fstat(fd->get(), &st) != 0) return sys_error(errno, "mask {}: stat", p);
    const std::string target = fd_path(fd->get());
    if (S_ISDIR(st.st_mode)) {
      if (::mount("tmpfs", target.c_str(), "tmpfs", MS_RDONLY, tmpfs_data.empty() ? nullptr : tmpfs_data.c_str()) != 0)
        return sys_error(errno, "mask {} with an empty read-only tmpfs", p);
    } else if (::mount("/dev/null", target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      return sys_error(errno, "mask {} with /dev/null", p);
    }
  }
  return {};
}

Result<void> make_paths_readonly(const std::vector<std::string> &paths) {
  Fd root = TRY(open_root());
  for (const auto &p : paths) {
    auto fd = open_in_root(root.get(), p);
    if (!fd && fd.error().code == ENOENT) continue;
    if (!fd) return std::unexpected(fd.error().context(fmt::format("make {} read-only", p)));
    const std::string target = fd_path(fd->get());
    if (::mount(target.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
      return sys_error(errno, "make {} read-only: bind mount onto itself", p);
    Fd top = TRY_CTX(open_in_root(root.get(), p), fmt::format("make {} read-only", p));
    TRY_CTX(bind_remount(fd_path(top.get()), MS_RDONLY, true), fmt::format("make {} read-only", p));
  }
  return {};
}

}  // namespace berth
