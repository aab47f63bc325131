// Small file helpers shared by the state store, cgroups and the init.
#pragma once

#include <string>

#include "libcontainer/result.h"

namespace berth {

Result<std::string> read_file(const std::string &path);

// Writes via a temporary file in the same directory, fsync, rename: readers see
// the old or the new content, never a torn one.
Result<void> write_file_atomic(const std::string &path, std::string_view content, mode_t mode = 0600);

// Writes content to an existing file (sysfs, procfs, cgroupfs style), no truncation games.
Result<void> write_file(const std::string &path, std::string_view content);

// rm -rf without crossing into other mounts' content it cannot delete; ENOENT is success.
Result<void> remove_tree(const std::string &path);

Result<void> mkdir_all(const std::string &path, mode_t mode);

}  // namespace berth
