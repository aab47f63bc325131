#include "cgroups/systemd_unit.h"

#include <charconv>

#include "cgroups/convert.h"

namespace berth::cgroups {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos - start));
    if (pos == std::string_view::npos) return out;
    start = pos + 1;
  }
}

std::optional<uint64_t> to_number(std::string_view s) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

// The name /proc/devices gives a major of this type ('c' or 'b'), or "".
std::string device_name(std::string_view proc_devices, char type, int64_t major) {
  bool in_section = false;
  for (auto line : split(proc_devices, '\n')) {
    if (line == "Character devices:") in_section = type == 'c';
    else if (line == "Block devices:") in_section = type == 'b';
    else if (in_section) {
      size_t start = line.find_first_not_of(' ');
      if (start == std::string_view::npos) continue;
      line = line.substr(start);
      size_t sp = line.find(' ');
      if (sp == std::string_view::npos) continue;
      auto m = to_number(line.substr(0, sp));
      if (m && static_cast<int64_t>(*m) == major) return std::string(line.substr(sp + 1));
    }
  }
  return "";
}

}  // namespace

Result<std::string> expand_slice(std::string_view slice) {
  if (!slice.ends_with(".slice") || slice.find('/') != std::string_view::npos)
    return make_error("invalid slice name \"{}\": a slice is named NAME.slice", slice);
  if (slice == "-.slice") return std::string("/");
  std::string_view stem = slice.substr(0, slice.size() - 6);
  if (stem.empty() || stem.starts_with('-') || stem.ends_with('-') || stem.find("--") != std::string_view::npos)
    return make_error("invalid slice name \"{}\": dashes separate non-empty parent names", slice);
  std::string path;
  std::string prefix;
  for (auto part : split(stem, '-')) {
    prefix += prefix.empty() ? std::string(part) : "-" + std::string(part);
    path += "/" + prefix + ".slice";
  }
  return path;
}

Result<SystemdUnit> parse_systemd_cgroups_path(std::string_view cgroups_path, std::string_view id) {
  if (cgroups_path.empty()) return SystemdUnit{"system.slice", fmt::format("berth-{}.scope", id)};
  auto parts = split(cgroups_path, ':');
  if (parts.size() != 3)
    return make_error("linux.cgroupsPath: \"{}\" is not \"slice:prefix:name\" as the systemd cgroup driver needs",
                      cgroups_path);
  SystemdUnit u;
  u.slice = parts[0].empty() ? "system.slice" : std::string(parts[0]);
  if (auto r = expand_slice(u.slice); !r) return make_error("linux.cgroupsPath: {}", r.error().message);
  std::string_view name = parts[2].empty() ? id : parts[2];
  if (name.find('/') != std::string_view::npos)
    return make_error("linux.cgroupsPath: unit name \"{}\" must not contain '/'", name);
  if (name.ends_with(".slice")) {
    if (auto r = expand_slice(name); !r) return make_error("linux.cgroupsPath: {}", r.error().message);
    u.name = name;
  } else {
    u.name = parts[1].empty() ? fmt::format("{}.scope", name) : fmt::format("{}-{}.scope", parts[1], name);
  }
  return u;
}

Result<std::vector<uint8_t>> cpuset_to_mask(std::string_view list, std::string_view field) {
  std::vector<uint8_t> mask;
  for (auto item : split(list, ',')) {
    if (item.empty()) continue;
    auto dash = item.find('-');
    auto first = to_number(item.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : to_number(item.substr(dash + 1));
    if (!first || !last || *last < *first || *last >= 8192)
      return make_error("{}: \"{}\" is not a list of numbers and ranges", field, list);
    if (mask.size() <= *last / 8) mask.resize(*last / 8 + 1);
    for (uint64_t n = *first; n <= *last; ++n) mask[n / 8] |= static_cast<uint8_t>(1u << (n % 8));
  }
  return mask;
}

// systemd's device allow list is an allow list only: the container's own rules
// (which may deny) are enforced by the cgroupfs manager's eBPF filter, which
// the kernel combines with systemd's (both must allow). So systemd is told
// "strict" plus what the rules allow, or left at "auto" when an allowed rule
// cannot be said in its terms.
std::vector<UnitProperty> systemd_device_properties(const std::vector<DeviceCgroupRule> &rules,
                                                   std::string_view proc_devices) {
  std::vector<UnitProperty> out;
  std::vector<std::pair<std::string, std::string>> allow;
  for (const auto &r : rules) {
    if (!r.allow) continue;
    char type = r.type.empty() ? 'a' : r.type[0];
    if (type == 'a') return out;  // every device: nothing for systemd to restrict
    std::string kind = type == 'b' ? "block" : "char";
    std::string access = r.access.empty() ? "rwm" : r.access;
    if (!r.major) {
      allow.emplace_back(kind + "-*", access);
    } else if (!r.minor) {
      auto name = device_name(proc_devices, type, *r.major);
      if (name.empty()) return out;
      allow.emplace_back(kind + "-" + name, access);
    } else {
      allow.emplace_back(fmt::format("/dev/{}/{}:{}", kind, *r.major, *r.minor), access);
    }
  }
  out.push_back({"DevicePolicy", std::string("strict")});
  out.push_back({"DeviceAllow", std::move(allow)});
  return out;
}

Result<std::vector<UnitProperty>> systemd_resource_properties(const Resources &r, std::string_view /*proc_devices*/) {
  std::vector<UnitProperty> out;
  auto limit = [](int64_t v) { return v < 0 ? kSystemdInfinity : static_cast<uint64_t>(v); };
  if (r.memory) {
    const auto &m = *r.memory;
    int64_t mem = m.limit.value_or(0);
    if (mem != 0) out.push_back({"MemoryMax", limit(mem)});
    if (m.reservation && *m.reservation != 0) out.push_back({"MemoryLow", limit(*m.reservation)});
    auto swap = swap_to_v2(m.swap.value_or(0), mem);
    if (!swap) return make_error("linux.resources.memory.swap: {}", swap.error().message);
    if (*swap != 0) out.push_back({"MemorySwapMax", limit(*swap)});
  }
  if (r.cpu) {
    const auto &c = *r.cpu;
    if (c.shares && *c.shares != 0) out.push_back({"CPUWeight", cpu_shares_to_weight(*c.shares)});
    int64_t quota = c.quota.value_or(0);
    uint64_t period = c.period.value_or(0);
    if (period != 0) out.push_back({"CPUQuotaPeriodUSec", period});
    if (quota != 0) {
      uint64_t per_sec = kSystemdInfinity;
      if (quota > 0) {
        // systemd keeps the quota per second in steps of 10ms: round up, as
        // runc does, so the container never gets less than asked.
        per_sec = static_cast<uint64_t>(quota) * 1000000 / (period != 0 ? period : 100000);
        if (per_sec % 10000 != 0) per_sec = (per_sec / 10000 + 1) * 10000;
      }
      out.push_back({"CPUQuotaPerSecUSec", per_sec});
    }
    if (!c.cpus.empty()) out.push_back({"AllowedCPUs", TRY(cpuset_to_mask(c.cpus, "linux.resources.cpu.cpus"))});
    if (!c.mems.empty())
      out.push_back({"AllowedMemoryNodes", TRY(cpuset_to_mask(c.mems, "linux.resources.cpu.mems"))});
  }
  if (r.pids_limit && *r.pids_limit != 0) out.push_back({"TasksMax", limit(*r.pids_limit)});
  if (r.block_io && r.block_io->weight && *r.block_io->weight != 0)
    out.push_back({"IOWeight", blkio_weight_to_io_weight(*r.block_io->weight)});
  return out;
}

}  // namespace berth::cgroups
