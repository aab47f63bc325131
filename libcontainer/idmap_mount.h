// Id-mapped bind mounts (mounts[].uidMappings/gidMappings, "idmap"/"ridmap"):
// a detached copy of the source gets MOUNT_ATTR_IDMAP with a user namespace
// made for the mapping, then is moved onto its destination.
#pragma once

#include <string>
#include <vector>

#include "libcontainer/fd.h"
#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// An fd of a new user namespace holding exactly these maps; its only process
// is gone by the time this returns.
Result<Fd> userns_for_mapping(const std::vector<IdMapping> &uids, const std::vector<IdMapping> &gids);

// Attaches an id-mapped copy of source (the whole tree when clone_recursive,
// the mapping on every submount when map_recursive) on the directory or file
// dest_fd names. what names the mount in errors.
Result<void> mount_idmapped(const std::string &source, int dest_fd, const std::vector<IdMapping> &uids,
                            const std::vector<IdMapping> &gids, bool clone_recursive, bool map_recursive,
                            std::string_view what);

}  // namespace berth
