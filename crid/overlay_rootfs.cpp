#include "crid/overlay_rootfs.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "crid/pod_files.h"

namespace berth::crid {

Result<void> mount_overlay(const OverlayPaths &paths) {
  if (paths.lower.empty()) return make_error("mount the rootfs at {}: the image has no layers", paths.target);
  for (const auto *dir : {&paths.upper, &paths.work, &paths.target}) TRY(make_dirs(*dir, 0700));
  // The merged root takes the upper dir's mode: a non-root container user must be able to enter it.
  ::chmod(paths.upper.c_str(), 0755);
  ::chmod(paths.target.c_str(), 0755);
  std::string lower;
  for (const auto &l : paths.lower) {
    if (l.find_first_of(",:") != std::string::npos)
      return make_error("mount the rootfs at {}: layer dir {} has a ',' or ':' overlayfs cannot take", paths.target, l);
    lower += (lower.empty() ? "" : ":") + l;
  }
  std::string data = fmt::format("lowerdir={},upperdir={},workdir={}", lower, paths.upper, paths.work);
  // A page is all the mount data the kernel takes; images with very many
  // layers would need fsconfig() one layer at a time.
  if (data.size() >= size_t(::getpagesize()))
    return make_error("mount the rootfs at {}: {} layers make overlay options longer than a page", paths.target,
                      paths.lower.size());
  if (::mount("overlay", paths.target.c_str(), "overlay", 0, data.c_str()) != 0)
    return sys_error(errno, "mount the overlay rootfs at {}", paths.target);
  return {};
}

}  // namespace berth::crid
