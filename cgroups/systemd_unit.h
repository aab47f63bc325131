// What the systemd cgroup driver asks of systemd, computed without a bus so
// the unit tests reach it: the unit named by linux.cgroupsPath
// ("slice:prefix:name", runc's syntax), the cgroup systemd gives a slice, and
// linux.resources turned into transient-unit properties.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth::cgroups {

struct SystemdUnit {
  std::string slice;  // parent slice, "system.slice" when left empty
  std::string name;   // "berth-c1.scope", or the slice named by a name ending in .slice
  bool is_slice() const { return name.ends_with(".slice"); }
};

// "system.slice:berth:c1" -> {system.slice, berth-c1.scope}; "" -> the
// default "system.slice:berth:<id>"; a name ending in .slice is the unit.
Result<SystemdUnit> parse_systemd_cgroups_path(std::string_view cgroups_path, std::string_view id);

// The cgroup systemd gives a slice: "a-b.slice" -> "/a.slice/a-b.slice",
// "-.slice" -> "/". Names systemd would refuse are errors.
Result<std::string> expand_slice(std::string_view slice);

// A D-Bus value of a unit property, by signature: b, t, s, au, ay, as, a(ss).
using PropertyValue = std::variant<bool, uint64_t, std::string, std::vector<uint32_t>, std::vector<uint8_t>,
                                   std::vector<std::string>, std::vector<std::pair<std::string, std::string>>>;
struct UnitProperty {
  std::string name;
  PropertyValue value;
};

// systemd's "infinity" for the limit properties.
inline constexpr uint64_t kSystemdInfinity = UINT64_MAX;

// "0-2,7" -> the byte array AllowedCPUs / AllowedMemoryNodes take (bit n of
// byte n/8 for cpu n).
Result<std::vector<uint8_t>> cpuset_to_mask(std::string_view list, std::string_view field);

// The properties systemd understands for the fields set in r (MemoryMax,
// MemoryLow, MemorySwapMax, CPUWeight, CPUQuotaPerSecUSec, CPUQuotaPeriodUSec,
// AllowedCPUs, AllowedMemoryNodes, TasksMax, IOWeight; devices are not
// among them, see systemd_device_properties). The cgroupfs manager of the unit's cgroup writes every field
// afterwards too, so what systemd has no property for is still applied.
// proc_devices: /proc/devices text, to name the majors of wildcard-minor rules.
Result<std::vector<UnitProperty>> systemd_resource_properties(const Resources &r, std::string_view proc_devices);

// DevicePolicy=strict and DeviceAllow for the allow rules of the container's
// full device list (container_device_rules), or nothing when an allowed rule
// cannot be said in systemd's terms (every device, an unnamed major).
// proc_devices: /proc/devices text, to name the majors of wildcard-minor rules.
std::vector<UnitProperty> systemd_device_properties(const std::vector<DeviceCgroupRule> &rules,
                                                   std::string_view proc_devices);

}  // namespace berth::cgroups
