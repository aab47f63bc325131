// resolve_user: "user[:group]" against the container's own /etc/passwd and
// /etc/group, with the rules containerd and runc share: a numeric user need
// not exist in passwd (its primary group is then 0), a name must; a group
// named after the colon replaces the primary group; the user's supplementary
// groups are the /etc/group entries that list its name as a member.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

#include "crid/container_spec.h"
#include "libcontainer/fd.h"
#include "libcontainer/safe_path.h"

namespace berth::crid {

namespace {

std::optional<uint32_t> parse_id(std::string_view s) {
  uint32_t v = 0;
  if (s.empty()) return std::nullopt;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  // (uid_t)-1 means "unchanged" to setuid and friends; no container runs as it.
  if (ec != std::errc{} || end != s.data() + s.size() || v == UINT32_MAX) return std::nullopt;
  return v;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

// The rootfs is the image's: its /etc/passwd may be a symlink meant to lead
// out of it (to the host's /etc/shadow), so the file is opened inside the
// rootfs as if it were "/". A file that is not there reads as empty.
Result<std::string> read_rootfs_file(const std::string &rootfs, const char *path) {
  int root = ::open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return sys_error(errno, "open rootfs {}", rootfs);
  Fd root_fd(root);
  auto opened = open_in_root(root_fd.get(), path);
  if (!opened) {
    if (opened.error().code == ENOENT) return std::string();
    return std::unexpected(opened.error());
  }
  int fd = ::open(fd_path(opened->get()).c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) return sys_error(errno, "open {}{}", rootfs, path);
  Fd file(fd);
  std::string text;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(file.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno, "read {}{}", rootfs, path);
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
    // A passwd file is small; a huge one (or /dev/zero behind it) is not read whole.
    if (text.size() > (16u << 20)) return make_error("{}{}: larger than 16 MiB", rootfs, path);
  }
  return text;
}

struct PasswdEntry {
  std::string name;
  uint32_t uid = 0, gid = 0;
};

struct GroupEntry {
  std::string name;
  uint32_t gid = 0;
  std::vector<std::string> members;
};

std::vector<PasswdEntry> parse_passwd(std::string_view text) {
  std::vector<PasswdEntry> out;
  for (auto line : split(text, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    auto f = split(line, ':');
    if (f.size() < 4) continue;
    auto uid = parse_id(f[2]), gid = parse_id(f[3]);
    if (!uid || !gid) continue;
    out.push_back({std::string(f[0]), *uid, *gid});
  }
  return out;
}

std::vector<GroupEntry> parse_group(std::string_view text) {
  std::vector<GroupEntry> out;
  for (auto line : split(text, '\n')) {
    if (line.empty() || line.front() == '#') continue;
    auto f = split(line, ':');
    if (f.size() < 3) continue;
    auto gid = parse_id(f[2]);
    if (!gid) continue;
    GroupEntry g{std::string(f[0]), *gid, {}};
    if (f.size() >= 4 && !f[3].empty())
      for (auto m : split(f[3], ',')) g.members.emplace_back(m);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

Result<ResolvedUser> resolve_user(const std::string &rootfs, const std::string &spec) {
  std::string_view user_part = spec, group_part;
  bool has_group = false;
  if (auto colon = user_part.find(':'); colon != std::string_view::npos) {
    group_part = user_part.substr(colon + 1);
    user_part = user_part.substr(0, colon);
    has_group = true;
    if (group_part.empty()) return make_error("user \"{}\": empty group after ':'", spec);
  }
  ResolvedUser out;
  std::string username;
  // An empty user is root, as an image without a User runs.
  if (user_part.empty()) user_part = "0";

  auto passwd = parse_passwd(TRY(read_rootfs_file(rootfs, "/etc/passwd")));
  if (auto uid = parse_id(user_part)) {
    out.uid = *uid;
    auto it = std::find_if(passwd.begin(), passwd.end(), [&](auto &e) { return e.uid == *uid; });
    if (it != passwd.end()) {
      out.gid = it->gid;
      username = it->name;
    }
  } else {
    auto it = std::find_if(passwd.begin(), passwd.end(), [&](auto &e) { return e.name == user_part; });
    if (it == passwd.end())
      return make_error("user \"{}\": no user named \"{}\" in {}/etc/passwd", spec, user_part, rootfs);
    out.uid = it->uid;
    out.gid = it->gid;
    username = it->name;
  }

  std::vector<GroupEntry> groups;
  if (has_group || !username.empty()) groups = parse_group(TRY(read_rootfs_file(rootfs, "/etc/group")));
  if (has_group) {
    if (auto gid = parse_id(group_part)) {
      out.gid = *gid;
    } else {
      auto it = std::find_if(groups.begin(), groups.end(), [&](auto &g) { return g.name == group_part; });
      if (it == groups.end())
        return make_error("user \"{}\": no group named \"{}\" in {}/etc/group", spec, group_part, rootfs);
      out.gid = it->gid;
    }
  }
  if (!username.empty()) {
    for (const auto &g : groups) {
      if (g.gid == out.gid) continue;
      if (std::find(g.members.begin(), g.members.end(), username) == g.members.end()) continue;
      if (std::find(out.additional_gids.begin(), out.additional_gids.end(), g.gid) == out.additional_gids.end())
        out.additional_gids.push_back(g.gid);
    }
  }
  return out;
}

}  // namespace berth::crid
