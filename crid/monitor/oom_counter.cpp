#include "crid/monitor/oom_counter.h"

#include <unistd.h>

#include <charconv>

#include "libcontainer/file_util.h"

namespace berth::crid::monitor {

std::optional<uint64_t> parse_oom_kill(std::string_view text) {
  while (!text.empty()) {
    auto nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (!line.starts_with("oom_kill ")) continue;
    line.remove_prefix(9);
    uint64_t n = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), n);
    if (ec == std::errc()) return n;
  }
  return std::nullopt;
}

std::string OomCounter::counter_file(std::string_view proc_cgroup, const std::string &cgroup_root) {
  std::string v1, v2;
  while (!proc_cgroup.empty()) {
    auto nl = proc_cgroup.find('\n');
    std::string_view line = proc_cgroup.substr(0, nl);
    proc_cgroup.remove_prefix(nl == std::string_view::npos ? proc_cgroup.size() : nl + 1);
    // hierarchy-id:controller,list:path
    auto c1 = line.find(':');
    auto c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
    std::string_view path = line.substr(c2 + 1);
    if (path == "/") path = "";
    if (line.substr(0, c1) == "0" && controllers.empty()) {
      v2 = std::string(path);
      continue;
    }
    for (std::string_view rest = controllers; !rest.empty();) {
      auto comma = rest.find(',');
      if (rest.substr(0, comma) == "memory") {
        v1 = fmt::format("{}/memory{}/memory.oom_control", cgroup_root, path);
        break;
      }
      rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);
    }
  }
  if (!v1.empty()) return v1;
  // cgroup v2: at the root of a pure v2 host, or under "unified" on a hybrid one.
  if (::access((cgroup_root + "/cgroup.controllers").c_str(), F_OK) == 0)
    return fmt::format("{}{}/memory.events", cgroup_root, v2);
  return fmt::format("{}/unified{}/memory.events", cgroup_root, v2);
}

OomCounter OomCounter::for_process(int pid) {
  OomCounter c;
  auto text = read_file(fmt::format("/proc/{}/cgroup", pid));
  if (!text) return c;
  c.file_ = counter_file(*text, "/sys/fs/cgroup");
  auto counter = read_file(c.file_);
  if (!counter) {
    c.file_.clear();
    return c;
  }
  c.at_start_ = parse_oom_kill(*counter).value_or(0);
  return c;
}

bool OomCounter::killed_since_start() const {
  if (file_.empty()) return false;
  auto counter = read_file(file_);
  if (!counter) return false;
  return parse_oom_kill(*counter).value_or(0) > at_start_;
}

}  // namespace berth::crid::monitor
