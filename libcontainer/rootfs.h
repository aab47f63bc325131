// Building the container's filesystem view. Runs in the container's init,
// already inside its new mount namespace, before the user's process starts.
#pragma once

#include <functional>
#include <map>
#include <string>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

struct RootfsOptions {
  std::string rootfs;       // absolute, symlink-free host path of the rootfs
  std::string bundle;       // absolute bundle path (relative mount sources are relative to it)
  bool no_pivot = false;    // --no-pivot: MS_MOVE + chroot instead of pivot_root
  bool in_user_ns = false;  // devices are bind-mounted, not mknod'ed
  // spec.mounts index -> fd of the id-mapped tree the parent made for it
  // (idmap_trees.h); filled only for a container with a user namespace.
  std::map<size_t, int> idmapped_tree_fds;
  // Called after every mount, just before pivot_root: the createRuntime /
  // createContainer hook point (hook_points.h).
  std::function<Result<void>()> before_pivot;
};

// Propagation, rootfs bind, every spec mount (targets resolved inside the rootfs,
// never through a symlink out of it), /dev (default devices, pts, shm, ptmx,
// fd/stdin/stdout/stderr links), linux.devices, then pivot_root (or move+chroot).
// On return the process's root and cwd are the container's "/".
Result<void> prepare_rootfs(const Spec &spec, const RootfsOptions &opts);

// After pivot: maskedPaths, readonlyPaths, root.readonly, linux.sysctl.
Result<void> finalize_rootfs(const Spec &spec);

}  // namespace berth
