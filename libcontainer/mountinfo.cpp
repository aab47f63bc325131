#include "libcontainer/mountinfo.h"

#include <string_view>

#include "libcontainer/file_util.h"

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
  // read_file and a plain splitter, not streams: berth's start would
  // otherwise page in libstdc++'s locale and iostream code for this alone.
  return parse_mountinfo(TRY(read_file("/proc/self/mountinfo")));
}

std::vector<MountInfo> parse_mountinfo(std::string_view text) {
  std::vector<MountInfo> out;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    // Fields are separated by spaces (those inside a field are escaped).
    std::vector<std::string_view> f;
    for (size_t i = 0; i < line.size();) {
      size_t j = line.find(' ', i);
      if (j == std::string_view::npos) j = line.size();
      if (j > i) f.push_back(line.substr(i, j - i));
      i = j + 1;
    }
    if (f.size() < 6) continue;
    MountInfo mi;
    mi.root = unescape(std::string(f[3]));
    mi.mount_point = unescape(std::string(f[4]));
    size_t k = 6;
    for (; k < f.size() && f[k] != "-"; ++k) {
      if (!mi.optional.empty()) mi.optional += ' ';
      mi.optional += f[k];
    }
    ++k;  // the "-"
    if (k < f.size()) mi.fs_type = f[k];
    if (k + 1 < f.size()) mi.source = unescape(std::string(f[k + 1]));
    if (k + 2 < f.size()) mi.super_options = f[k + 2];
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
