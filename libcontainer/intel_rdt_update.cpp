#include "libcontainer/intel_rdt_update.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/fd.h"
#include "libcontainer/file_util.h"

namespace berth {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::vector<std::string> lines_of(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    auto line = trim(text.substr(0, nl));
    if (!line.empty()) out.emplace_back(line);
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return out;
}

std::string resource_of(std::string_view line) { return std::string(trim(line.substr(0, line.find(':')))); }

bool is_dir(const std::string &p) {
  struct stat st;
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

}  // namespace

std::string merge_schemata(std::string_view existing, const std::vector<std::string> &lines) {
  std::vector<std::string> out = lines_of(existing);
  for (const auto &l : lines) {
    std::string res = resource_of(l);
    bool replaced = false;
    for (auto &o : out)
      if (resource_of(o) == res) {
        o = l;
        replaced = true;
      }
    if (!replaced) out.push_back(l);
  }
  std::string text;
  for (const auto &o : out) text += o + "\n";
  return text;
}

Result<void> update_intel_rdt(const RdtGroup *g, const RdtSchemaUpdate &u, const std::string &root) {
  // runc's checks and wording: CAT needs info/L3, MBA needs info/MB.
  if (!u.l3_cache_schema.empty() && !is_dir(root + "/info/L3"))
    return make_error("--l3-cache-schema: Intel RDT/CAT: l3 cache schema is not enabled (no {}/info/L3)", root);
  if (!u.mem_bw_schema.empty() && !is_dir(root + "/info/MB"))
    return make_error("--mem-bw-schema: Intel RDT/MBA: memory bandwidth schema is not enabled (no {}/info/MB)", root);
  if (u.l3_cache_schema.empty() && u.mem_bw_schema.empty()) return {};
  if (!g)
    return make_error("the container has no Intel RDT group (its config has no linux.intelRdt): "
                      "updating a non-existent Intel RDT configuration is not supported");
  if (!g->created)
    return make_error("{} is a CLOS group this container joined (linux.intelRdt.closID) and shares with others: "
                      "its schemata are not changed by update",
                      g->path);
  auto lines = lines_of(u.l3_cache_schema);
  auto mb = lines_of(u.mem_bw_schema);
  for (const auto &l : mb)
    if (!l.starts_with("MB:")) return make_error("--mem-bw-schema: \"{}\" must start with \"MB:\"", l);
  for (const auto &l : lines)
    if (l.find(':') == std::string::npos) return make_error("--l3-cache-schema: \"{}\" is not RESOURCE:DOMAIN=MASK", l);
  lines.insert(lines.end(), mb.begin(), mb.end());

  std::string path = g->path + "/schemata";
  auto have = TRY_CTX(read_file(path), "intelRdt");
  std::string text = merge_schemata(have, lines);
  // O_TRUNC is a no-op on resctrl's own file; it keeps a plain-file stand-in
  // (the tests' fake resctrl) equal to what the kernel would show.
  Fd fd(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (!fd) return sys_error(errno, "intelRdt: open {}", path);
  if (::write(fd.get(), text.data(), text.size()) < 0)
    return sys_error(errno, "intelRdt: write schemata to {} (resctrl says why in {}/info/last_cmd_status)", path, root);
  return {};
}

}  // namespace berth
