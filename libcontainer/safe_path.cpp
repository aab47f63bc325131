#include "libcontainer/safe_path.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <span>
#include <vector>

namespace berth {
namespace {

std::vector<std::string_view> components(std::string_view rel) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos <= rel.size()) {
    size_t end = rel.find('/', pos);
    if (end == std::string_view::npos) end = rel.size();
    if (end > pos) out.push_back(rel.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

}  // namespace

std::string fd_path(int fd) { return fmt::format("/proc/self/fd/{}", fd); }

std::string clean_relative(std::string_view path) {
  std::vector<std::string_view> kept;
  for (auto c : components(path)) {
    if (c == ".") continue;
    if (c == "..") {
      if (!kept.empty()) kept.pop_back();
      continue;
    }
    kept.push_back(c);
  }
  std::string out;
  for (auto c : kept) {
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

Result<Fd> open_in_root(int root_fd, std::string_view path, int extra_flags) {
  std::string rel = clean_relative(path);
  if (rel.empty()) rel.push_back('.');  // the root itself
  open_how how{};
  how.flags = static_cast<uint64_t>(O_PATH | O_CLOEXEC | extra_flags);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = ::syscall(SYS_openat2, root_fd, rel.c_str(), &how, sizeof how);
    if (fd >= 0) return Fd(static_cast<int>(fd));
    // openat2 asks for a retry when a rename raced with the lookup.
    if (errno == EAGAIN || errno == EINTR) continue;
    return sys_error(errno, "open \"{}\" inside the root", path);
  }
}

namespace {

Result<Fd> create_in_root_depth(int root_fd, std::string_view path, PathKind kind, mode_t dir_mode, int depth);

// A dangling symlink on the way is created through, as runc does, but its
// target is taken inside the root: the path is rewritten and walked again.
Result<Fd> create_through_symlink(int root_fd, int parent_fd, const std::string &name, const std::string &prefix,
                                  std::span<const std::string_view> rest, std::string_view path, PathKind kind,
                                  mode_t dir_mode, int depth) {
  char target[4096];
  ssize_t n = ::readlinkat(parent_fd, name.c_str(), target, sizeof target - 1);
  if (n < 0) return make_error("create \"{}\" inside the root: \"{}\" vanished while it was created", path, name);
  if (depth >= 40) return make_error("create \"{}\" inside the root: too many levels of symbolic links", path);
  std::string next(target, n);
  if (next.empty() || next[0] != '/') next = prefix + "/" + next;
  for (auto part : rest) next += "/" + std::string(part);
  return create_in_root_depth(root_fd, next, kind, dir_mode, depth + 1);
}

}  // namespace

Result<Fd> create_in_root(int root_fd, std::string_view path, PathKind kind, mode_t dir_mode) {
  return create_in_root_depth(root_fd, path, kind, dir_mode, 0);
}

namespace {

Result<Fd> create_in_root_depth(int root_fd, std::string_view path, PathKind kind, mode_t dir_mode, int depth) {
  const std::string rel = clean_relative(path);
  if (auto whole = open_in_root(root_fd, rel); whole || whole.error().code != ENOENT) {
    if (!whole) return std::unexpected(whole.error().context(fmt::format("create \"{}\"", path)));
    return whole;
  }

  const auto parts = components(rel);
  // Usually only the last component is missing: open its parent and create it
  // there, rather than walking every prefix again from the root.
  if (!parts.empty()) {
    const std::string name(parts.back());
    // "" is the root itself (open_in_root opens "." for it).
    const std::string prefix = parts.size() > 1 ? rel.substr(0, rel.size() - name.size() - 1) : std::string();
    if (auto parent = open_in_root(root_fd, prefix); parent) {
      if (kind == PathKind::File) {
        int f = ::openat(parent->get(), name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f < 0 && errno != EEXIST) return sys_error(errno, "create file \"{}\" inside the root", rel);
        Fd closer(f);
      } else if (::mkdirat(parent->get(), name.c_str(), dir_mode) < 0 && errno != EEXIST) {
        return sys_error(errno, "create directory \"{}\" inside the root", rel);
      }
      auto opened = open_in_root(root_fd, rel);
      if (!opened && opened.error().code == ENOENT)
        return create_through_symlink(root_fd, parent->get(), name, prefix, {}, path, kind, dir_mode, depth);
      return opened;
    } else if (parent.error().code != ENOENT) {
      return std::unexpected(parent.error());
    }
  }

  // Walk component by component. Each prefix is resolved again from the root,
  // so a symlink met on the way is followed inside the root, and the new entry
  // is made relative to the fd of its resolved parent, never by a joined path.
  Fd parent = TRY(open_in_root(root_fd, "."));
  std::string prefix;
  for (size_t i = 0; i < parts.size(); ++i) {
    const std::string name(parts[i]);
    std::string next = prefix.empty() ? name : prefix + "/" + name;
    auto opened = open_in_root(root_fd, next);
    if (!opened && opened.error().code == ENOENT) {
      const bool last = i + 1 == parts.size();
      if (last && kind == PathKind::File) {
        int f = ::openat(parent.get(), name.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f < 0 && errno != EEXIST) return sys_error(errno, "create file \"{}\" inside the root", next);
        Fd closer(f);
      } else if (::mkdirat(parent.get(), name.c_str(), dir_mode) < 0 && errno != EEXIST) {
        return sys_error(errno, "create directory \"{}\" inside the root", next);
      }
      opened = open_in_root(root_fd, next);
      // Still missing after creating it: the entry is a symlink to nowhere.
      if (!opened && opened.error().code == ENOENT)
        return create_through_symlink(root_fd, parent.get(), name, prefix,
                                      std::span(parts).subspan(i + 1), path, kind, dir_mode, depth);
    }
    if (!opened) return std::unexpected(opened.error());
    parent = std::move(*opened);
    prefix = std::move(next);
  }
  return parent;
}

}  // namespace

}  // namespace berth
