#include "cgroups/device_rules.h"

#include <fmt/core.h>

namespace berth::cgroups {

namespace {
DeviceCgroupRule allow(std::string type, std::optional<int64_t> major, std::optional<int64_t> minor,
                       std::string access) {
  return DeviceCgroupRule{true, std::move(type), major, minor, std::move(access)};
}
}  // namespace

const std::vector<DeviceCgroupRule> &default_device_rules() {
  static const std::vector<DeviceCgroupRule> rules = {
      allow("c", {}, {}, "m"),  allow("b", {}, {}, "m"),      allow("c", 1, 3, "rwm"), allow("c", 1, 8, "rwm"),
      allow("c", 1, 7, "rwm"),  allow("c", 5, 0, "rwm"),      allow("c", 1, 5, "rwm"), allow("c", 1, 9, "rwm"),
      allow("c", 5, 1, "rwm"),  allow("c", 136, {}, "rwm"),   allow("c", 5, 2, "rwm"), allow("c", 10, 200, "rwm"),
  };
  return rules;
}

std::vector<DeviceCgroupRule> effective_device_rules(const std::vector<DeviceCgroupRule> &rules) {
  auto out = rules;
  const auto &d = default_device_rules();
  out.insert(out.end(), d.begin(), d.end());
  return out;
}

std::string v1_device_rule(const DeviceCgroupRule &r) {
  std::string type = r.type.empty() ? "a" : r.type;
  std::string access = r.access.empty() ? "rwm" : r.access;
  if (type == "a" && !r.major && !r.minor && access.size() == 3) return "a";
  auto num = [](const std::optional<int64_t> &v) { return v && *v >= 0 ? std::to_string(*v) : std::string("*"); };
  return fmt::format("{} {}:{} {}", type, num(r.major), num(r.minor), access);
}

}  // namespace berth::cgroups
