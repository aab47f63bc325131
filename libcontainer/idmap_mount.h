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

// A detached id-mapped copy of source, not yet attached anywhere. Made by
// the parent for a container with a user namespace: mount_setattr needs
// privilege over the source's filesystem, which the init inside its new
// user namespace no longer has; the init attaches it (attach_idmapped_tree).
Result<Fd> open_idmapped_tree(const std::string &source, const std::vector<IdMapping> &uids,
                              const std::vector<IdMapping> &gids, bool clone_recursive, bool map_recursive,
                              std::string_view what);

// Moves a tree from open_idmapped_tree onto the directory or file dest_fd names.
Result<void> attach_idmapped_tree(int tree_fd, int dest_fd, std::string_view what);

// open_idmapped_tree + attach_idmapped_tree: attaches an id-mapped copy of source (the whole tree when clone_recursive,
// the mapping on every submount when map_recursive) on the directory or file
// dest_fd names. what names the mount in errors.
Result<void> mount_idmapped(const std::string &source, int dest_fd, const std::vector<IdMapping> &uids,
                            const std::vector<IdMapping> &gids, bool clone_recursive, bool map_recursive,
                            std::string_view what);

}  // namespace berth
