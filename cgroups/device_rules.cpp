#include "cgroups/device_rules.h"

#include <algorithm>
#include <string_view>

#include <fmt/core.h>

namespace berth::cgroups {

namespace {

struct DefaultRule {
  std::string_view path;  // the node it stands for, "" for a class of nodes
  DeviceCgroupRule rule;
};

DeviceCgroupRule allow(std::string type, std::optional<int64_t> major, std::optional<int64_t> minor,
                       std::string access) {
  return DeviceCgroupRule{true, std::move(type), major, minor, std::move(access)};
}

// runc's order, so `devices.list` and the eBPF program read the same as runc's.
const std::vector<DefaultRule> &default_table() {
  static const std::vector<DefaultRule> table = {
      {"", allow("c", {}, {}, "m")},
      {"", allow("b", {}, {}, "m")},
      {"/dev/null", allow("c", 1, 3, "rwm")},
      {"/dev/random", allow("c", 1, 8, "rwm")},
      {"/dev/full", allow("c", 1, 7, "rwm")},
      {"/dev/tty", allow("c", 5, 0, "rwm")},
      {"/dev/zero", allow("c", 1, 5, "rwm")},
      {"/dev/urandom", allow("c", 1, 9, "rwm")},
      {"", allow("c", 136, {}, "rwm")},  // /dev/pts/*
      {"", allow("c", 5, 2, "rwm")},     // /dev/ptmx
      {"", allow("c", 10, 200, "rwm")},  // /dev/net/tun
  };
  return table;
}

}  // namespace

const std::vector<DeviceCgroupRule> &default_device_rules() {
  static const std::vector<DeviceCgroupRule> rules = [] {
    std::vector<DeviceCgroupRule> out;
    for (const auto &d : default_table()) out.push_back(d.rule);
    return out;
  }();
  return rules;
}

std::vector<DeviceCgroupRule> effective_device_rules(const std::vector<DeviceCgroupRule> &rules) {
  return container_device_rules(rules, {});
}

std::vector<DeviceCgroupRule> container_device_rules(const std::vector<DeviceCgroupRule> &rules,
                                                     const std::vector<Device> &devices) {
  auto out = rules;
  for (const auto &d : default_table()) {
    bool configured = !d.path.empty() && std::any_of(devices.begin(), devices.end(),
                                                     [&](const Device &dev) { return dev.path == d.path; });
    if (!configured) out.push_back(d.rule);
  }
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
