// The "cgroup" spec mount: cgroup2 on a unified host; on a v1 or hybrid host a
// tmpfs holding one mount per host hierarchy, laid out as the host's.
#pragma once

#include "libcontainer/fd.h"
#include "libcontainer/mount_options.h"
#include "libcontainer/mounts.h"
#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// dest is the O_PATH fd of the (existing) destination directory in the rootfs.
Result<void> mount_cgroup(const Mount &m, const ParsedMountOptions &o, Fd dest, const MountContext &ctx);

}  // namespace berth
