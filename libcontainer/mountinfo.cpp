#include "libcontainer/mountinfo.h"

#include <fstream>
#include <sstream>

namespace berth {
namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string unescape(const std::string &s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool ok = true;
      for (size_t k = 1; k <= 3; ++k) {
        char c = s[i + k];
        if (c < '0' || c > '7') ok = false;
        v = v * 8 + (c - '0');
      }
      if (ok) {
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    out += s[i];
  }
  return out;
}

}  // namespace

Result<std::vector<MountInfo>> read_mountinfo() {
  std::ifstream in("/proc/self/mountinfo");
  if (!in) return sys_error(errno, "open /proc/self/mountinfo");
  std::vector<MountInfo> out;
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string id, parent, devno, root, mp, opts, word;
    if (!(f >> id >> parent >> devno >> root >> mp >> opts)) continue;
    MountInfo mi;
    mi.root = unescape(root);
    mi.mount_point = unescape(mp);
    while (f >> word && word != "-") {
      if (!mi.optional.empty()) mi.optional += ' ';
      mi.optional += word;
    }
    std::string src;
    f >> mi.fs_type >> src >> mi.super_options;
    mi.source = unescape(src);
    out.push_back(std::move(mi));
  }
  return out;
}

const MountInfo *mount_holding(const std::vector<MountInfo> &mounts, const std::string &path) {
  const MountInfo *best = nullptr;
  for (const auto &m : mounts) {
    const std::string &mp = m.mount_point;
    bool holds = mp == "/" || path == mp ||
                 (path.size() > mp.size() && path.compare(0, mp.size(), mp) == 0 && path[mp.size()] == '/');
    // Later entries are mounted over earlier ones at the same point.
    if (holds && (best == nullptr || mp.size() >= best->mount_point.size())) best = &m;
  }
  return best;
}

bool mount_is_hidden(const std::vector<MountInfo> &mounts, size_t index) {
  const std::string &mp = mounts[index].mount_point;
  for (size_t j = index + 1; j < mounts.size(); ++j) {
    const std::string &other = mounts[j].mount_point;
    bool covers = other == mp || other == "/" ||
                  (mp.size() > other.size() && mp.compare(0, other.size(), other) == 0 && mp[other.size()] == '/');
    if (covers) return true;
  }
  return false;
}

}  // namespace berth
