// The calling process's mount table, from /proc/self/mountinfo.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/result.h"

namespace berth {

struct MountInfo {
  std::string root;          // path inside the filesystem that is mounted ("/" usually)
  std::string mount_point;   // unescaped
  std::string optional;      // "shared:1 master:2", space separated
  std::string fs_type;
  std::string source;
  std::string super_options;  // "rw,cpu,cpuacct"
};

Result<std::vector<MountInfo>> read_mountinfo();

// The entries of a mountinfo text; lines with fewer than six fields are skipped.
std::vector<MountInfo> parse_mountinfo(std::string_view text);

// The entry whose mount point is the longest prefix of path (the mount that holds it).
const MountInfo *mount_holding(const std::vector<MountInfo> &mounts, const std::string &path);

// True when a later entry is mounted on mounts[index]'s mount point or on one
// of its parents: the entry is then covered and cannot be reached by path.
bool mount_is_hidden(const std::vector<MountInfo> &mounts, size_t index);

}  // namespace berth
