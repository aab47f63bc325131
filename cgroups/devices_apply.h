// The device cgroup of a container, set once at create with the full rule
// list (container_device_rules): v1 devices.deny/devices.allow, v2 an eBPF
// program. Kept apart from linux.resources' apply(), which `berth update`
// also calls: like runc's, berth's update never touches devices.
#pragma once

#include <string>
#include <vector>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth::cgroups {

// Denies everything, then writes the rules in order to devices.allow or
// devices.deny of the v1 devices cgroup dir.
Result<void> set_devices_v1(const std::string &dir, const std::vector<DeviceCgroupRule> &rules);

// Attaches the eBPF program for rules to the v2 cgroup dir.
Result<void> set_devices_v2(const std::string &dir, const std::vector<DeviceCgroupRule> &rules);

}  // namespace berth::cgroups
