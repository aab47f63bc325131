#include "cgroups/paths.h"

#include <algorithm>
#include <charconv>
#include <map>

namespace berth::cgroups {

namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    size_t pos = s.find(sep);
    out.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) return out;
    s.remove_prefix(pos + 1);
  }
}

std::vector<std::string_view> lines(std::string_view text) {
  std::vector<std::string_view> out;
  for (auto line : split(text, '\n'))
    if (!line.empty()) out.push_back(line);
  return out;
}

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape_octal(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      auto d = s.substr(i + 1, 3);
      if (std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '7'; })) {
        out += static_cast<char>((d[0] - '0') * 64 + (d[1] - '0') * 8 + (d[2] - '0'));
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

// Controllers a v1 mount's super options can name; the rest ("rw", "xattr",
// "release_agent=...", "clone_children", "noprefix", ...) are mount options.
bool is_v1_controller(std::string_view opt) {
  static constexpr std::string_view known[] = {
      "blkio", "cpu",   "cpuacct", "cpuset",  "devices", "freezer", "hugetlb", "memory",
      "misc",  "net_cls", "net_prio", "perf_event", "pids", "rdma", "debug"};
  if (opt.starts_with("name=")) return true;
  return std::find(std::begin(known), std::end(known), opt) != std::end(known);
}

std::string join(const std::vector<std::string> &v, char sep) {
  std::string out;
  for (const auto &s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

bool under(std::string_view path, std::string_view dir) {
  if (dir == "/") return path.starts_with('/');
  return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '/');
}

// The process's cgroup as seen through a mount of its hierarchy whose root is
// mount_root; "" when the mount does not show it.
std::string relative_to_mount(std::string_view cgroup, std::string_view mount_root) {
  if (!under(cgroup, mount_root)) return "";
  if (mount_root == "/") return std::string(cgroup);
  std::string rest(cgroup.substr(mount_root.size()));
  return rest.empty() ? "/" : rest;
}

}  // namespace

Result<std::vector<CgroupEntry>> parse_proc_cgroup(std::string_view text) {
  std::vector<CgroupEntry> out;
  for (auto line : lines(text)) {
    // The path may itself contain ':', so split only the first two.
    size_t a = line.find(':');
    size_t b = a == std::string_view::npos ? a : line.find(':', a + 1);
    if (b == std::string_view::npos) return make_error("/proc/self/cgroup: malformed line \"{}\"", line);
    CgroupEntry e;
    auto id = line.substr(0, a);
    auto [p, ec] = std::from_chars(id.data(), id.data() + id.size(), e.hierarchy_id);
    if (ec != std::errc{} || p != id.data() + id.size())
      return make_error("/proc/self/cgroup: malformed hierarchy id in \"{}\"", line);
    auto ctrls = line.substr(a + 1, b - a - 1);
    if (!ctrls.empty())
      for (auto c : split(ctrls, ',')) e.controllers.emplace_back(c);
    std::sort(e.controllers.begin(), e.controllers.end());
    e.path = line.substr(b + 1);
    out.push_back(std::move(e));
  }
  return out;
}

Result<std::vector<CgroupMount>> parse_cgroup_mounts(std::string_view mountinfo) {
  std::vector<CgroupMount> out;
  for (auto line : lines(mountinfo)) {
    // id parent major:minor root mount-point options [optional...] - fstype source super-options
    size_t dash = line.find(" - ");
    if (dash == std::string_view::npos) return make_error("mountinfo: malformed line \"{}\"", line);
    auto head = split(line.substr(0, dash), ' ');
    auto tail = split(line.substr(dash + 3), ' ');
    if (head.size() < 6 || tail.size() < 3) return make_error("mountinfo: malformed line \"{}\"", line);
    auto fstype = tail[0];
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    CgroupMount m;
    m.root = unescape_octal(head[3]);
    m.mount_point = unescape_octal(head[4]);
    m.unified = fstype == "cgroup2";
    if (!m.unified) {
      for (auto opt : split(tail[2], ','))
        if (is_v1_controller(opt)) m.controllers.emplace_back(opt);
      std::sort(m.controllers.begin(), m.controllers.end());
      if (m.controllers.empty()) continue;  // a v1 mount of nothing we can place a process in
    }
    out.push_back(std::move(m));
  }
  return out;
}

Result<std::vector<Hierarchy>> find_hierarchies(Mode mode, std::string_view proc_cgroup,
                                                std::string_view mountinfo, const std::string &root) {
  auto entries = TRY(parse_proc_cgroup(proc_cgroup));
  auto mounts = TRY(parse_cgroup_mounts(mountinfo));

  std::map<std::string, std::string> own;  // key -> the process's cgroup
  for (const auto &e : entries) own[join(e.controllers, ',')] = e.path;

  std::vector<Hierarchy> out;
  auto add = [&](const CgroupMount &m, std::string key) {
    Hierarchy h;
    h.mount_point = m.mount_point;
    if (auto it = own.find(key); it != own.end()) h.own_cgroup = relative_to_mount(it->second, m.root);
    h.key = std::move(key);
    out.push_back(std::move(h));
  };

  if (mode != Mode::Unified) {
    std::vector<std::string> seen;
    // Two passes: mounts under root first, so a second mount of a hierarchy
    // elsewhere (a bind mount, a container's view) does not win.
    for (int pass = 0; pass < 2; ++pass) {
      for (const auto &m : mounts) {
        if (m.unified || under(m.mount_point, root) != (pass == 0)) continue;
        std::string key = join(m.controllers, ',');
        if (std::find(seen.begin(), seen.end(), key) != seen.end()) continue;
        seen.push_back(key);
        add(m, key);
      }
    }
    if (out.empty()) return make_error("no cgroup v1 hierarchy is mounted (looked for cgroup mounts in mountinfo)");
  }
  if (mode != Mode::Legacy) {
    std::string want = mode == Mode::Unified ? root : root + "/unified";
    const CgroupMount *pick = nullptr;
    for (const auto &m : mounts)
      if (m.unified && (!pick || (m.mount_point == want && pick->mount_point != want))) pick = &m;
    if (!pick) return make_error("no cgroup2 mount found (looked for {} in mountinfo)", want);
    add(*pick, "");
  }
  return out;
}

Result<std::string> clean_cgroup_path(std::string_view path) {
  bool absolute = path.starts_with('/');
  std::vector<std::string_view> parts;
  for (auto part : split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (parts.empty())
        return make_error("cgroups path \"{}\" climbs out of its {} with \"..\"", path,
                          absolute ? "hierarchy's root" : "parent cgroup");
      parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

Result<std::string> container_dir(const Hierarchy &h, std::string_view cgroups_path, std::string_view id) {
  std::string path;
  if (cgroups_path.empty()) {
    if (id.empty() || id.find('/') != std::string_view::npos || id == "." || id == "..")
      return make_error("cannot name a cgroup after container id \"{}\"", id);
    path = fmt::format("/{}", id);
  } else {
    path = TRY(clean_cgroup_path(cgroups_path));
    if (path.empty())
      return make_error("cgroups path \"{}\" names this process's own cgroup; a container needs its own",
                        cgroups_path);
  }
  if (!path.starts_with('/')) {
    if (h.own_cgroup.empty())
      return make_error("cgroups path \"{}\" is relative, but this process's own cgroup in {} is not visible there",
                        cgroups_path, h.mount_point);
    path = h.own_cgroup == "/" ? "/" + path : h.own_cgroup + "/" + path;
  }
  std::string mount = h.mount_point;
  while (mount.size() > 1 && mount.back() == '/') mount.pop_back();
  if (path == "/") return make_error("cgroups path \"{}\" names the root of {}; a container needs its own cgroup",
                                     cgroups_path, h.mount_point);
  return mount == "/" ? path : mount + path;
}

Result<std::string> stored_dir(const nlohmann::json &value, std::string_view what) {
  if (!value.is_string()) return make_error("cgroup state: {} is not a string", what);
  auto s = value.get<std::string>();
  auto clean = clean_cgroup_path(s);
  if (!clean || *clean != s || s.size() < 2 || s[0] != '/')
    return make_error("cgroup state: {} \"{}\" is not a clean absolute path", what, s);
  return s;
}

}  // namespace berth::cgroups
