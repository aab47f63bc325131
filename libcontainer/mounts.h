// Performing one spec mount inside the rootfs, and the remount helper the
// read-only steps share.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "libcontainer/mount_options.h"
#include "libcontainer/mountinfo.h"
#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

struct MountContext {
  int root_fd = -1;         // O_PATH fd of the rootfs (its own bind mount)
  std::string rootfs;       // host path, for messages
  std::string bundle;       // relative bind sources are relative to it
  bool in_user_ns = false;
  bool cgroup_ns = false;   // the container has a cgroup namespace of its own
  const std::map<size_t, int> *idmapped_tree_fds = nullptr;  // RootfsOptions::idmapped_tree_fds
  std::string mount_label;  // linux.mountLabel, or "" (selinux_label.h)
  // The init's mount table, read once before the spec mounts (the "cgroup"
  // mount lays out the host's hierarchies from it); read afresh when null.
  const std::vector<MountInfo> *mountinfo = nullptr;
};

// Mounts spec.mounts[index] at its destination inside the rootfs.
Result<void> mount_spec_entry(const Mount &m, size_t index, const MountContext &ctx);

// Remounts the mount at target (a path, often fd_path of an O_PATH fd) with
// MS_BIND|MS_REMOUNT|flags. With keep_current, the mount's nosuid, nodev and
// noexec stay as they are. Either way, when the kernel refuses because those
// flags (or ro, or the atime mode) are locked, as they are for mounts inherited
// into a user namespace, it retries keeping them.
Result<void> bind_remount(const std::string &target, unsigned long flags, bool keep_current,
                          bool atime_given = false);

// Applies mount_setattr(AT_RECURSIVE) attributes and propagation changes to
// the mount at target, in that order.
Result<void> apply_mount_extras(int target_fd, const ParsedMountOptions &o, std::string_view what);

}  // namespace berth
