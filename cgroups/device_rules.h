// Device cgroup rules: the list a container gets at create (its own
// linux.resources rules, then the defaults every container needs, so the
// later ones win as they do in the kernel's v1 list, as runc orders them),
// and their v1 text form.
#pragma once

#include <string>
#include <vector>

#include "libcontainer/spec.h"

namespace berth::cgroups {

// runc's default allow list (specconv.AllowedDevices of runc 1.1): mknod of
// any char/block node; null, random, full, tty, zero, urandom, /dev/pts/*,
// ptmx and /dev/net/tun.
const std::vector<DeviceCgroupRule> &default_device_rules();

// rules followed by default_device_rules().
std::vector<DeviceCgroupRule> effective_device_rules(const std::vector<DeviceCgroupRule> &rules);

// What create gives the device cgroup: linux.resources.devices, then the
// defaults. A default that stands for a node linux.devices also lists (same
// path, e.g. /dev/null) is left out, as runc does: the config's own entry
// and rules decide for that node. linux.devices entries get no rule of their
// own (runc 1.1 neither): a config that wants one allowed says so in
// linux.resources.devices, which is how `docker --device PATH:PATH:r`
// keeps a node read-only.
std::vector<DeviceCgroupRule> container_device_rules(const std::vector<DeviceCgroupRule> &rules,
                                                     const std::vector<Device> &devices);

// "c 1:3 rwm"; "a" for a rule that covers every device with every access.
std::string v1_device_rule(const DeviceCgroupRule &r);

}  // namespace berth::cgroups
