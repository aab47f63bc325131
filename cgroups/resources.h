// linux.resources written to a container's cgroup files: the v1 mapping
// (one hierarchy per controller) and the v2 one (one directory, converted
// values). Fields left out of the config are left as they are, so the same
// code serves create and `berth update`. linux.resources.devices is not
// among them: cgroups/devices_apply.h sets the device cgroup, at create only.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth::cgroups {

// The container's directory in the v1 hierarchy that has controller, or ""
// when no hierarchy has it (its fields are then skipped, as runc does).
using V1DirOf = std::function<std::string(std::string_view controller)>;

// unified: the container's dir in a hybrid host's cgroup2 hierarchy, or "".
// There the unified map is written, and hugepage limits when no v1 hugetlb
// hierarchy exists but the cgroup2 one has the controller.
Result<void> apply_v1(const V1DirOf &dir_of, const std::string &unified, const Resources &r);

Result<void> apply_v2(const std::string &dir, const Resources &r);

// linux.resources.unified: each key a file in dir, each value written as is.
Result<void> apply_unified_map(const std::string &dir, const std::map<std::string, std::string> &unified);

// Enables controller in the subtree_control of every ancestor of dir, top
// down from the hierarchy's root (the first ancestor without cgroup.type).
// False when the root does not have the controller at all.
Result<bool> enable_in_ancestors(const std::string &dir, std::string_view controller);

}  // namespace berth::cgroups
