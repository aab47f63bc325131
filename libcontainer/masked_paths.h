// linux.maskedPaths and linux.readonlyPaths, applied after pivot_root (paths
// are the container's own).
#pragma once

#include <string>
#include <vector>

#include "libcontainer/result.h"

namespace berth {

// A directory gets an empty read-only tmpfs over it, anything else /dev/null.
// Paths that do not exist are skipped. The tmpfs gets mount_label as runc
// gives it (selinux_label.h).
Result<void> mask_paths(const std::vector<std::string> &paths, const std::string &mount_label = "");

// Each path is bound onto itself and remounted read-only, keeping its nosuid,
// nodev and noexec. Paths that do not exist are skipped.
Result<void> make_paths_readonly(const std::vector<std::string> &paths);

}  // namespace berth
