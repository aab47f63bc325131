#include "cgroups/stats.h"

#include <dirent.h>
#include <unistd.h>

#include <charconv>
#include <sstream>

#include "cgroups/cgroupfs.h"
#include "cgroups/resource_write.h"

namespace berth::cgroups {

namespace {

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    auto line = text.substr(0, nl);
    if (!line.empty()) out.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

uint64_t to_u64(std::string_view s) {
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// A single-number file; "max" and missing files read as 0 (unlimited / not there).
uint64_t read_u64(const std::string &file) {
  auto text = read_text(file);
  if (!text) return 0;
  auto w = split_words(*text);
  if (w.empty() || w[0] == "max") return 0;
  return to_u64(w[0]);
}

// "8:0 Read 123" lines of blkio.*_recursive files; "Total N" lines are skipped.
std::vector<BlkioEntry> parse_blkio(std::string_view text) {
  std::vector<BlkioEntry> out;
  for (auto line : lines_of(text)) {
    auto w = split_words(line);
    if (w.size() != 3) continue;
    size_t colon = w[0].find(':');
    if (colon == std::string_view::npos) continue;
    out.push_back({to_u64(w[0].substr(0, colon)), to_u64(w[0].substr(colon + 1)), std::string(w[1]), to_u64(w[2])});
  }
  return out;
}

// The page sizes this kernel has, as hugetlb files name them ("2MB", "1GB").
std::vector<std::string> hugepage_sizes() {
  std::vector<std::string> out;
  DIR *d = ::opendir("/sys/kernel/mm/hugepages");
  if (!d) return out;
  while (auto *e = ::readdir(d)) {
    std::string_view name = e->d_name;  // "hugepages-2048kB"
    if (!name.starts_with("hugepages-") || !name.ends_with("kB")) continue;
    uint64_t kb = to_u64(name.substr(10, name.size() - 12));
    if (kb >= (1u << 20) && kb % (1u << 20) == 0)
      out.push_back(fmt::format("{}GB", kb >> 20));
    else if (kb >= 1024 && kb % 1024 == 0)
      out.push_back(fmt::format("{}MB", kb >> 10));
    else
      out.push_back(fmt::format("{}KB", kb));
  }
  ::closedir(d);
  return out;
}

void read_hugetlb_v2(const std::string &dir, Stats &s) {
  for (const auto &size : hugepage_sizes()) {
    std::string base = fmt::format("{}/hugetlb.{}.", dir, size);
    if (!file_exists(base + "current")) continue;
    HugetlbEntry e;
    e.usage = read_u64(base + "current");
    e.max = read_u64(base + "max");
    if (auto ev = read_text(base + "events")) e.failcnt = parse_flat_keyed(*ev)["max"];
    s.hugetlb[size] = e;
  }
}

}  // namespace

std::map<std::string, uint64_t> parse_flat_keyed(std::string_view text) {
  std::map<std::string, uint64_t> out;
  for (auto line : lines_of(text)) {
    auto w = split_words(line);
    if (w.size() == 2) out[std::string(w[0])] = to_u64(w[1]);
  }
  return out;
}

Result<Stats> read_stats_v1(const std::function<std::string(std::string_view)> &dir_of, const std::string &unified) {
  Stats s;
  if (auto d = dir_of("cpuacct"); !d.empty()) {
    s.cpu.total = read_u64(d + "/cpuacct.usage");
    if (auto t = read_text(d + "/cpuacct.usage_percpu"))
      for (auto w : split_words(*t)) s.cpu.percpu.push_back(to_u64(w));
    // cpuacct.stat counts USER_HZ ticks.
    if (auto t = read_text(d + "/cpuacct.stat")) {
      auto m = parse_flat_keyed(*t);
      uint64_t ns_per_tick = 1'000'000'000ULL / static_cast<uint64_t>(::sysconf(_SC_CLK_TCK));
      s.cpu.user = m["user"] * ns_per_tick;
      s.cpu.kernel = m["system"] * ns_per_tick;
    }
  }
  if (auto d = dir_of("cpu"); !d.empty()) {
    if (auto t = read_text(d + "/cpu.stat")) {
      auto m = parse_flat_keyed(*t);
      s.cpu.periods = m["nr_periods"];
      s.cpu.throttled_periods = m["nr_throttled"];
      s.cpu.throttled_time = m["throttled_time"];
    }
  }
  if (auto d = dir_of("memory"); !d.empty()) {
    auto entry = [&](const std::string &prefix) {
      MemoryEntry e;
      e.usage = read_u64(d + "/" + prefix + "usage_in_bytes");
      e.max = read_u64(d + "/" + prefix + "max_usage_in_bytes");
      e.limit = read_u64(d + "/" + prefix + "limit_in_bytes");
      e.failcnt = read_u64(d + "/" + prefix + "failcnt");
      return e;
    };
    s.memory.usage = entry("memory.");
    if (file_exists(d + "/memory.memsw.usage_in_bytes")) s.memory.swap = entry("memory.memsw.");
    if (auto t = read_text(d + "/memory.stat")) s.memory.raw = parse_flat_keyed(*t);
  }
  if (auto d = dir_of("pids"); !d.empty()) {
    s.pids.current = read_u64(d + "/pids.current");
    s.pids.limit = read_u64(d + "/pids.max");
  }
  if (auto d = dir_of("blkio"); !d.empty()) {
    // With CFQ/BFQ the plain files count all I/O; without, only the throttle
    // layer's do, which sees every bio too.
    auto pick = [&](const char *plain, const char *throttle) {
      auto t = read_text(d + "/" + plain);
      auto entries = t ? parse_blkio(*t) : std::vector<BlkioEntry>{};
      if (entries.empty())
        if (auto u = read_text(d + "/" + throttle)) entries = parse_blkio(*u);
      return entries;
    };
    s.blkio.service_bytes = pick("blkio.io_service_bytes_recursive", "blkio.throttle.io_service_bytes_recursive");
    s.blkio.serviced = pick("blkio.io_serviced_recursive", "blkio.throttle.io_serviced_recursive");
  }
  if (auto d = dir_of("hugetlb"); !d.empty()) {
    for (const auto &size : hugepage_sizes()) {
      std::string base = fmt::format("{}/hugetlb.{}.", d, size);
      if (!file_exists(base + "usage_in_bytes")) continue;
      s.hugetlb[size] = {read_u64(base + "usage_in_bytes"), read_u64(base + "max_usage_in_bytes"),
                         read_u64(base + "failcnt")};
    }
  } else if (!unified.empty()) {
    read_hugetlb_v2(unified, s);
  }
  return s;
}

Result<Stats> read_stats_v2(const std::string &dir) {
  Stats s;
  if (auto t = read_text(dir + "/cpu.stat")) {
    auto m = parse_flat_keyed(*t);
    s.cpu.total = m["usage_usec"] * 1000;
    s.cpu.user = m["user_usec"] * 1000;
    s.cpu.kernel = m["system_usec"] * 1000;
    s.cpu.periods = m["nr_periods"];
    s.cpu.throttled_periods = m["nr_throttled"];
    s.cpu.throttled_time = m["throttled_usec"] * 1000;
  }
  s.memory.usage.usage = read_u64(dir + "/memory.current");
  s.memory.usage.limit = read_u64(dir + "/memory.max");
  s.memory.usage.max = read_u64(dir + "/memory.peak");
  if (auto t = read_text(dir + "/memory.events")) s.memory.usage.failcnt = parse_flat_keyed(*t)["max"];
  s.memory.swap.usage = read_u64(dir + "/memory.swap.current");
  s.memory.swap.limit = read_u64(dir + "/memory.swap.max");
  if (auto t = read_text(dir + "/memory.stat")) s.memory.raw = parse_flat_keyed(*t);
  s.pids.current = read_u64(dir + "/pids.current");
  s.pids.limit = read_u64(dir + "/pids.max");
  if (auto t = read_text(dir + "/io.stat")) {
    // "254:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0"
    for (auto line : lines_of(*t)) {
      auto w = split_words(line);
      if (w.empty()) continue;
      size_t colon = w[0].find(':');
      if (colon == std::string_view::npos) continue;
      uint64_t major = to_u64(w[0].substr(0, colon)), minor = to_u64(w[0].substr(colon + 1));
      for (size_t i = 1; i < w.size(); ++i) {
        size_t eq = w[i].find('=');
        if (eq == std::string_view::npos) continue;
        auto key = w[i].substr(0, eq);
        uint64_t v = to_u64(w[i].substr(eq + 1));
        if (key == "rbytes") s.blkio.service_bytes.push_back({major, minor, "Read", v});
        if (key == "wbytes") s.blkio.service_bytes.push_back({major, minor, "Write", v});
        if (key == "rios") s.blkio.serviced.push_back({major, minor, "Read", v});
        if (key == "wios") s.blkio.serviced.push_back({major, minor, "Write", v});
      }
    }
  }
  read_hugetlb_v2(dir, s);
  return s;
}

nlohmann::ordered_json stats_to_json(const Stats &s) {
  using J = nlohmann::ordered_json;
  auto mem = [](const MemoryEntry &e) { return J{{"limit", e.limit}, {"usage", e.usage}, {"max", e.max}, {"failcnt", e.failcnt}}; };
  auto blkio = [](const std::vector<BlkioEntry> &v) {
    J a = J::array();
    for (const auto &e : v) a.push_back(J{{"major", e.major}, {"minor", e.minor}, {"op", e.op}, {"value", e.value}});
    return a;
  };
  J j;
  j["cpu"] = J{{"usage", J{{"total", s.cpu.total}, {"percpu", s.cpu.percpu}, {"kernel", s.cpu.kernel}, {"user", s.cpu.user}}},
               {"throttling", J{{"periods", s.cpu.periods}, {"throttled_periods", s.cpu.throttled_periods},
                                {"throttled_time", s.cpu.throttled_time}}}};
  J raw = J::object();
  for (const auto &[k, v] : s.memory.raw) raw[k] = v;
  j["memory"] = J{{"usage", mem(s.memory.usage)}, {"swap", mem(s.memory.swap)}, {"raw", raw}};
  j["pids"] = J{{"current", s.pids.current}, {"limit", s.pids.limit}};
  j["blkio"] = J{{"ioServiceBytesRecursive", blkio(s.blkio.service_bytes)}, {"ioServicedRecursive", blkio(s.blkio.serviced)}};
  J huge = J::object();
  for (const auto &[size, e] : s.hugetlb) huge[size] = J{{"usage", e.usage}, {"max", e.max}, {"failcnt", e.failcnt}};
  j["hugetlb"] = huge;
  return j;
}

}  // namespace berth::cgroups
