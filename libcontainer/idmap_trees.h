// The id-mapped mounts of a container with a user namespace, made by the
// runtime before it clones the init. Inside its new user namespace the init
// has no privilege over the host filesystems the sources live on, so
// mount_setattr(MOUNT_ATTR_IDMAP) would fail there (as runc, which opens them
// in the parent too); the init inherits the detached trees' fds and only
// moves each onto its destination.
#pragma once

#include <map>
#include <string>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// Detached id-mapped trees keyed by their index in spec.mounts; mounts that
// are not idmapped binds have none (the init reports what is wrong with them).
using IdmappedTrees = std::map<size_t, Fd>;

// bundle: relative bind sources are relative to it.
Result<IdmappedTrees> open_idmapped_trees(const Spec &spec, const std::string &bundle);

}  // namespace berth
