// Device cgroup rules: the list a container gets (its own linux.resources
// rules, then the defaults every container needs, so the later ones win as
// they do in the kernel's v1 list), and their v1 text form.
#pragma once

#include <string>
#include <vector>

#include "libcontainer/spec.h"

namespace berth::cgroups {

// runc's default allow list: mknod of any char/block node; null, zero, full,
// random, urandom, tty, console, ptmx, /dev/pts/*, /dev/net/tun.
const std::vector<DeviceCgroupRule> &default_device_rules();

// rules followed by default_device_rules().
std::vector<DeviceCgroupRule> effective_device_rules(const std::vector<DeviceCgroupRule> &rules);

// "c 1:3 rwm"; "a" for a rule that covers every device with every access.
std::string v1_device_rule(const DeviceCgroupRule &r);

}  // namespace berth::cgroups
