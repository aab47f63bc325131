#include "cgroups/devices_apply.h"

#include "cgroups/device_filter.h"
#include "cgroups/device_rules.h"
#include "cgroups/resource_write.h"

namespace berth::cgroups {

Result<void> set_devices_v1(const std::string &dir, const std::vector<DeviceCgroupRule> &rules) {
  // Deny everything first, then open up rule by rule: the container never
  // has more than its rules allow, even between two writes.
  TRY(write_resource("devices", dir + "/devices.deny", "a"));
  for (const auto &r : rules)
    TRY(write_resource("devices", dir + (r.allow ? "/devices.allow" : "/devices.deny"), v1_device_rule(r)));
  return {};
}

Result<void> set_devices_v2(const std::string &dir, const std::vector<DeviceCgroupRule> &rules) {
  TRY_CTX(attach_device_filter(dir, rules), "linux.resources.devices");
  return {};
}

}  // namespace berth::cgroups
