// Rootless mode (`berth --rootless`): a user without privileges on the host
// runs containers in a user namespace that maps their own ids, keeps state
// under $XDG_RUNTIME_DIR, and does without cgroups it cannot write.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// --rootless true|false|auto; auto means "not running as root".
bool rootless_mode(std::string_view flag);

// The default state root when rootless: $XDG_RUNTIME_DIR/berth, or
// /tmp/berth-<uid> where XDG_RUNTIME_DIR is not set.
std::string rootless_state_root();

// Writes a new user namespace's id maps. Root writes them itself; so does an
// unprivileged caller mapping only its own uid and gid (after denying
// setgroups, as the kernel requires). Any other map goes through the setuid
// helpers newuidmap/newgidmap (Debian package uidmap), which check
// /etc/subuid and /etc/subgid.
Result<void> write_id_maps_as_caller(pid_t pid, const std::vector<IdMapping> &uids,
                                     const std::vector<IdMapping> &gids);

// Whether a cgroup error means "not ours to write" (skipped when rootless).
bool cgroup_error_is_permission(const Error &e);

}  // namespace berth
