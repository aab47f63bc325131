#include "libcontainer/intel_rdt.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <map>

#include <fmt/format.h>

#include "libcontainer/fd.h"
#include "libcontainer/file_util.h"
#include "libcontainer/scope_exit.h"

namespace berth {

namespace {

bool exists(const std::string &path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0;
}

// The flags of a shell's `echo ... > file`, the way the kernel's resctrl
// documentation writes these files. O_CREAT and O_TRUNC are no-ops on the
// files resctrl makes itself; they let the same code fill a plain directory
// standing in for resctrl (the tests' fake, on hosts without RDT hardware).
Result<void> write_group_file(const std::string &path, const std::string &content, std::string_view field) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (!fd) return sys_error(errno, "{}: open {}", field, path);
  if (::write(fd.get(), content.data(), content.size()) < 0) {
    // resctrl explains a refused schema in info/last_cmd_status.
    return sys_error(errno, "{}: write \"{}\" to {}", field, content.substr(0, content.find_last_not_of('\n') + 1),
                     path);
  }
  return {};
}

// rmdir is all a resctrl group needs (the kernel drops its files and moves
// its tasks to the parent); a plain directory standing in for one has its
// files unlinked first.
Result<void> remove_group_dir(const std::string &path) {
  if (::rmdir(path.c_str()) == 0 || errno == ENOENT) return {};
  if (errno != ENOTEMPTY && errno != EEXIST) return sys_error(errno, "linux.intelRdt: remove {}", path);
  if (DIR *d = ::opendir(path.c_str())) {
    while (struct dirent *e = ::readdir(d)) {
      if (e->d_type == DT_REG) (void)::unlinkat(::dirfd(d), e->d_name, 0);
    }
    ::closedir(d);
  }
  if (::rmdir(path.c_str()) < 0 && errno != ENOENT) return sys_error(errno, "linux.intelRdt: remove {}", path);
  return {};
}

// mkdir that reports whether this call made the directory.
Result<bool> make_group_dir(const std::string &path) {
  if (::mkdir(path.c_str(), 0755) == 0) return true;
  if (errno == EEXIST) return false;
  // resctrl refuses a new group once every CLOS id is in use.
  if (errno == ENOSPC) return make_error("linux.intelRdt: create {}: no free CLOS id left (info/*/num_closids)", path);
  return sys_error(errno, "linux.intelRdt: create {}", path);
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = trim(text.substr(0, nl));
    if (!line.empty()) out.push_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

struct SchemaLine {
  std::string resource;                      // "L3", "MB", "L3CODE", ...
  std::map<std::string, std::string> values;  // domain id -> value
};

// "L3:0=0ff;1=f0" -> {L3, {0: ff, 1: f0}}. Cache masks (every resource but
// the bandwidth ones) are hex: compared as numbers, as the kernel reads them
// back without leading zeros.
Result<SchemaLine> parse_schema_line(std::string_view line) {
  SchemaLine out;
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return make_error("schema line \"{}\" has no \"RESOURCE:\"", line);
  out.resource = std::string(trim(line.substr(0, colon)));
  bool hex = out.resource != "MB" && out.resource != "SMBA";
  std::string_view rest = line.substr(colon + 1);
  while (!rest.empty()) {
    size_t semi = rest.find(';');
    std::string_view tok = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view{} : rest.substr(semi + 1);
    if (tok.empty()) continue;
    size_t eq = tok.find('=');
    if (eq == std::string_view::npos) return make_error("schema line \"{}\": \"{}\" is not DOMAIN=VALUE", line, tok);
    std::string dom(trim(tok.substr(0, eq)));
    std::string val(trim(tok.substr(eq + 1)));
    if (dom.empty() || val.empty()) return make_error("schema line \"{}\": \"{}\" is not DOMAIN=VALUE", line, tok);
    if (hex) {
      char *end = nullptr;
      errno = 0;
      unsigned long long v = std::strtoull(val.c_str(), &end, 16);
      if (errno != 0 || *end != '\0') return make_error("schema line \"{}\": \"{}\" is not a hex mask", line, val);
      val = fmt::format("{:x}", v);
    }
    out.values[dom] = val;
  }
  return out;
}

std::string first_line_of(const std::string &text, std::string_view resource) {
  for (auto line : split_lines(text)) {
    if (line.starts_with(resource) && line.size() > resource.size() && line[resource.size()] == ':')
      return std::string(line);
  }
  return {};
}

}  // namespace

bool intel_rdt_available() { return exists(std::string(kResctrlRoot) + "/info"); }

Result<void> check_intel_rdt(const Spec &spec) {
  if (!spec.linux || !spec.linux->intel_rdt) return {};
  if (!intel_rdt_available())
    return make_error("linux.intelRdt: needs the resctrl filesystem mounted at {}, and this host "
                      "has none (no Intel RDT / AMD QoS support, or not mounted)",
                      kResctrlRoot);
  const IntelRdt &r = *spec.linux->intel_rdt;
  if (!r.mem_bw_schema.empty() && (!r.mem_bw_schema.starts_with("MB:") || r.mem_bw_schema.find('\n') != std::string::npos))
    return make_error("linux.intelRdt.memBwSchema: \"{}\" must be one line starting with \"MB:\"", r.mem_bw_schema);
  return {};
}

std::vector<std::string> rdt_schemata_lines(const IntelRdt &cfg) {
  std::vector<std::string> out;
  for (auto line : split_lines(cfg.l3_cache_schema)) {
    // runtime-spec: with memBwSchema set, an MB: line in l3CacheSchema gives way to it.
    if (!cfg.mem_bw_schema.empty() && line.starts_with("MB:")) continue;
    out.emplace_back(line);
  }
  for (auto line : split_lines(cfg.mem_bw_schema)) out.emplace_back(line);
  for (const auto &s : cfg.schemata)
    for (auto line : split_lines(s)) out.emplace_back(line);
  return out;
}

Result<void> rdt_schemata_match(std::string_view existing, const std::vector<std::string> &wanted) {
  std::vector<SchemaLine> have;
  for (auto line : split_lines(existing)) {
    // The kernel's own file holds every resource; one it does not parse the
    // way we do cannot be one asked for either.
    if (auto p = parse_schema_line(line)) have.push_back(std::move(*p));
  }
  for (const auto &w : wanted) {
    SchemaLine want = TRY(parse_schema_line(w));
    bool found = false;
    for (const auto &h : have) {
      if (h.resource != want.resource) continue;
      found = true;
      for (const auto &[dom, val] : want.values) {
        auto it = h.values.find(dom);
        if (it == h.values.end() || it->second != val)
          return make_error("\"{}\" does not match the group's {}: line ({}={} there)", w, want.resource, dom,
                            it == h.values.end() ? std::string("nothing") : it->second);
      }
    }
    if (!found) return make_error("\"{}\": the group has no {}: line", w, want.resource);
  }
  return {};
}

nlohmann::json RdtGroup::to_json() const {
  nlohmann::json j = {{"path", path}, {"created", created}};
  if (!mon_path.empty()) {
    j["monPath"] = mon_path;
    j["monCreated"] = mon_created;
  }
  return j;
}

RdtGroup RdtGroup::from_json(const nlohmann::json &j) {
  RdtGroup g;
  g.path = j.value("path", "");
  g.created = j.value("created", false);
  g.mon_path = j.value("monPath", "");
  g.mon_created = j.value("monCreated", false);
  return g;
}

Result<RdtGroup> join_intel_rdt(const IntelRdt &cfg, const std::string &container_id, pid_t pid,
                                const std::string &root) {
  RdtGroup g;
  g.path = root + "/" + (cfg.clos_id.empty() ? container_id : cfg.clos_id);
  std::vector<std::string> lines = rdt_schemata_lines(cfg);

  // runtime-spec: a closID with nothing to write names a group someone set up
  // beforehand; joining it must not create an unconfigured one.
  if (!cfg.clos_id.empty() && lines.empty() && !exists(g.path))
    return make_error("linux.intelRdt.closID: group {} does not exist (with no l3CacheSchema, memBwSchema or "
                      "schemata, the CLOS must be set up beforehand)",
                      g.path);

  g.created = TRY(make_group_dir(g.path));
  ScopeExit undo([&] {
    if (g.mon_created) (void)remove_group_dir(g.mon_path);
    if (g.created) (void)remove_group_dir(g.path);
  });

  if (!lines.empty()) {
    std::string text;
    for (const auto &l : lines) text += l + "\n";
    if (g.created || cfg.clos_id.empty()) {
      TRY(write_group_file(g.path + "/schemata", text, "linux.intelRdt"));
    } else {
      // An existing CLOS is shared: compare, never rewrite (runtime-spec).
      auto have = TRY_CTX(read_file(g.path + "/schemata"), "linux.intelRdt.closID");
      if (auto m = rdt_schemata_match(have, lines); !m)
        return make_error("linux.intelRdt: group {} already exists with other schemata: {}", g.path,
                          m.error().message);
    }
  }
  TRY(write_group_file(g.path + "/tasks", std::to_string(pid), "linux.intelRdt"));

  if (cfg.enable_monitoring) {
    std::string mon_groups = g.path + "/mon_groups";
    if (!exists(mon_groups))
      return make_error("linux.intelRdt.enableMonitoring: {} is missing: resctrl has no monitoring here", mon_groups);
    g.mon_path = mon_groups + "/" + container_id;
    g.mon_created = TRY(make_group_dir(g.mon_path));
    // A monitoring group only takes tasks already in its parent group, hence second.
    TRY(write_group_file(g.mon_path + "/tasks", std::to_string(pid), "linux.intelRdt.enableMonitoring"));
  }
  undo.dismiss();
  return g;
}

Result<void> add_to_intel_rdt(const RdtGroup &g, pid_t pid) {
  TRY(write_group_file(g.path + "/tasks", std::to_string(pid), "linux.intelRdt"));
  if (!g.mon_path.empty())
    TRY(write_group_file(g.mon_path + "/tasks", std::to_string(pid), "linux.intelRdt.enableMonitoring"));
  return {};
}

Result<void> remove_intel_rdt(const RdtGroup &g) {
  if (g.mon_created) TRY(remove_group_dir(g.mon_path));
  if (g.created) TRY(remove_group_dir(g.path));
  return {};
}

nlohmann::ordered_json intel_rdt_stats(const RdtGroup &g, const std::string &root) {
  nlohmann::ordered_json j = nlohmann::ordered_json::object();
  auto read = [](const std::string &p) { return read_file(p).value_or(""); };
  auto num = [&](const std::string &p) -> uint64_t { return std::strtoull(read(p).c_str(), nullptr, 10); };
  std::string root_schemata = read(root + "/schemata");
  std::string schemata = read(g.path + "/schemata");
  if (exists(root + "/info/L3")) {
    std::string mask = read(root + "/info/L3/cbm_mask");
    j["l3_cache_info"] = {{"cbm_mask", std::string(trim(mask.substr(0, mask.find('\n'))))},
                          {"min_cbm_bits", num(root + "/info/L3/min_cbm_bits")},
                          {"num_closids", num(root + "/info/L3/num_closids")}};
  }
  if (auto l = first_line_of(root_schemata, "L3"); !l.empty()) j["l3_cache_schema_root"] = l;
  if (auto l = first_line_of(schemata, "L3"); !l.empty()) j["l3_cache_schema"] = l;
  if (exists(root + "/info/MB")) {
    j["mem_bw_info"] = {{"bandwidth_gran", num(root + "/info/MB/bandwidth_gran")},
                        {"delay_linear", num(root + "/info/MB/delay_linear")},
                        {"min_bandwidth", num(root + "/info/MB/min_bandwidth")},
                        {"num_closids", num(root + "/info/MB/num_closids")}};
  }
  if (auto l = first_line_of(root_schemata, "MB"); !l.empty()) j["mem_bw_schema_root"] = l;
  if (auto l = first_line_of(schemata, "MB"); !l.empty()) j["mem_bw_schema"] = l;

  // One mon_L3_XX directory per L3 domain, as runc reports them.
  std::string mon_data = (g.mon_path.empty() ? g.path : g.mon_path) + "/mon_data";
  if (DIR *d = ::opendir(mon_data.c_str())) {
    auto mbm = nlohmann::ordered_json::array();
    auto cmt = nlohmann::ordered_json::array();
    while (struct dirent *e = ::readdir(d)) {
      std::string name = e->d_name;
      if (!name.starts_with("mon_L3_")) continue;
      std::string dir = mon_data + "/" + name;
      if (exists(dir + "/mbm_total_bytes") || exists(dir + "/mbm_local_bytes"))
        mbm.push_back({{"mbm_total_bytes", num(dir + "/mbm_total_bytes")},
                       {"mbm_local_bytes", num(dir + "/mbm_local_bytes")}});
      if (exists(dir + "/llc_occupancy")) cmt.push_back({{"llc_occupancy", num(dir + "/llc_occupancy")}});
    }
    ::closedir(d);
    if (!mbm.empty()) j["mbm_stats"] = mbm;
    if (!cmt.empty()) j["cmt_stats"] = cmt;
  }
  return j;
}

}  // namespace berth
