#include "images/layer_unpack.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <dirent.h>

#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "images/digest.h"
#include "libcontainer/fd.h"

namespace berth::images {

namespace {

using ReadPtr = std::unique_ptr<archive, decltype(&archive_read_free)>;
using WritePtr = std::unique_ptr<archive, decltype(&archive_write_free)>;

constexpr std::string_view kWhiteoutPrefix = ".wh.";
constexpr std::string_view kOpaque = ".wh..wh..opq";

// "./a/b/" -> "a/b"; empty for the root itself. EPERM for names that escape.
Result<std::string> clean_entry_path(std::string_view name) {
  // "/" alone names the layer root (umoci writes it); any other absolute name is refused.
  if (name.starts_with("/") && name.find_first_not_of('/') != std::string_view::npos)
    return std::unexpected(Error{EPERM, fmt::format("entry \"{}\": absolute path refused", name)});
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= name.size()) {
    size_t s = name.find('/', i);
    if (s == std::string_view::npos) s = name.size();
    std::string_view p = name.substr(i, s - i);
    if (p == "..")
      return std::unexpected(Error{EPERM, fmt::format("entry \"{}\": \"..\" refused (it would escape the layer)", name)});
    if (!p.empty() && p != ".") parts.push_back(p);
    i = s + 1;
  }
  std::string out;
  for (auto p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

// Opens the directory at rel under root without following any symlink (O_NOFOLLOW
// per component); with create, makes missing directories (0755) on the way.
Result<Fd> open_dir_nofollow(int root, const std::string &rel, bool create = false) {
  Fd cur(::fcntl(root, F_DUPFD_CLOEXEC, 0));
  size_t i = 0;
  while (i < rel.size()) {
    size_t s = rel.find('/', i);
    if (s == std::string::npos) s = rel.size();
    std::string comp = rel.substr(i, s - i);
    int fd = ::openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 && errno == ENOENT && create && (::mkdirat(cur.get(), comp.c_str(), 0755) == 0 || errno == EEXIST))
      fd = ::openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return sys_error(errno, "open directory {}", rel);
    cur.reset(fd);
    i = s + 1;
  }
  return cur;
}

// Refuses an entry whose existing parent directories include a symlink: even
// one pointing inside the layer is how a tar smuggles writes elsewhere later.
Result<void> check_parents(int root, const std::string &path, const char *raw) {
  Fd cur(::fcntl(root, F_DUPFD_CLOEXEC, 0));
  size_t i = 0;
  while (true) {
    size_t s = path.find('/', i);
    if (s == std::string::npos) return {};
    std::string comp = path.substr(i, s - i);
    struct stat st;
    if (::fstatat(cur.get(), comp.c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0) {
      if (errno == ENOENT) return {};
      return sys_error(errno, "entry \"{}\": check {}", raw, path.substr(0, s));
    }
    if (S_ISLNK(st.st_mode))
      return std::unexpected(Error{EPERM, fmt::format("entry \"{}\": parent {} is a symlink; refused (it could lead out of the layer)",
                                                      raw, path.substr(0, s))});
    if (!S_ISDIR(st.st_mode)) return {};  // libarchive replaces it with a directory
    int fd = ::openat(cur.get(), comp.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0) return sys_error(errno, "entry \"{}\": open {}", raw, path.substr(0, s));
    cur.reset(fd);
    i = s + 1;
  }
}

void remove_tree_at(int dirfd, const char *name) {
  if (::unlinkat(dirfd, name, 0) == 0 || errno == ENOENT) return;
  int fd = ::openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) return;
  DIR *d = ::fdopendir(fd);
  if (!d) {
    ::close(fd);
    return;
  }
  while (auto *e = ::readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    remove_tree_at(fd, e->d_name);
  }
  ::closedir(d);
  ::unlinkat(dirfd, name, AT_REMOVEDIR);
}

std::pair<std::string, std::string> split_parent(const std::string &path) {
  auto slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

struct Unpacker {
  std::string layer_path;
  std::string dir;
  WhiteoutMode mode;
  std::set<std::string> created;  // paths this layer wrote (apply mode keeps them on opaque)

  Result<void> whiteout(int root, const std::string &path) {
    auto [parent, base] = split_parent(path);
    // In overlay mode a whiteout may come without its directory's entry: the
    // directory has to exist in this layer to hold it.
    auto pfd = TRY(open_dir_nofollow(root, parent, mode == WhiteoutMode::overlay));
    if (base == kOpaque) {
      if (mode == WhiteoutMode::overlay) {
        if (::fsetxattr(pfd.get(), "trusted.overlay.opaque", "y", 1, 0) < 0)
          return sys_error(errno, "mark {} opaque", parent.empty() ? "/" : parent);
        return {};
      }
      DIR *d = ::fdopendir(::fcntl(pfd.get(), F_DUPFD_CLOEXEC, 0));
      if (!d) return sys_error(errno, "read directory {}", parent);
      std::vector<std::string> victims;
      while (auto *e = ::readdir(d)) {
        std::string n = e->d_name;
        if (n == "." || n == "..") continue;
        if (!created.count(parent.empty() ? n : parent + "/" + n)) victims.push_back(n);
      }
      ::closedir(d);
      for (auto &v : victims) remove_tree_at(pfd.get(), v.c_str());
      return {};
    }
    std::string target = base.substr(kWhiteoutPrefix.size());
    if (target.empty() || target == "." || target == "..")
      return std::unexpected(Error{EPERM, fmt::format("whiteout entry \"{}\": no valid name", path)});
    remove_tree_at(pfd.get(), target.c_str());
    if (mode == WhiteoutMode::overlay && ::mknodat(pfd.get(), target.c_str(), S_IFCHR | 0, makedev(0, 0)) < 0)
      return sys_error(errno, "create whiteout for {}", path);
    return {};
  }

  Result<void> run() {
    Fd root(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!root) return sys_error(errno, "open {}", dir);
    // This thread gets its own cwd so that extracting relative to it does not
    // move every other thread of the process.
    if (::unshare(CLONE_FS) < 0) return sys_error(errno, "unshare(CLONE_FS)");
    if (::fchdir(root.get()) < 0) return sys_error(errno, "chdir {}", dir);

    ReadPtr in(archive_read_new(), archive_read_free);
    archive_read_support_filter_all(in.get());
    archive_read_support_format_tar(in.get());
    archive_read_support_format_gnutar(in.get());
    if (archive_read_open_filename(in.get(), layer_path.c_str(), 1 << 16) != ARCHIVE_OK)
      return make_error("open layer {}: {}", layer_path, archive_error_string(in.get()));
    WritePtr out(archive_write_disk_new(), archive_write_free);
    archive_write_disk_set_options(out.get(), ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                                  ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_FFLAGS |
                                                  ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                  ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS | ARCHIVE_EXTRACT_UNLINK);
    // Numeric ids only: the host's passwd must not remap a layer's owners.
    archive_write_disk_set_standard_lookup(out.get());
    archive_write_disk_set_group_lookup(out.get(), nullptr, nullptr, nullptr);
    archive_write_disk_set_user_lookup(out.get(), nullptr, nullptr, nullptr);

    archive_entry *entry;
    while (true) {
      int r = archive_read_next_header(in.get(), &entry);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return make_error("read layer {}: {}", layer_path, archive_error_string(in.get()));
      const char *raw = archive_entry_pathname(entry);
      auto path = TRY_CTX(clean_entry_path(raw ? raw : ""), fmt::format("layer {}", layer_path));
      if (path.empty()) continue;  // the layer root itself: keep the target's own mode
      auto [parent, base] = split_parent(path);
      if (base.starts_with(kWhiteoutPrefix)) {
        TRY_CTX(whiteout(root.get(), path), fmt::format("layer {}", layer_path));
        continue;
      }
      TRY_CTX(check_parents(root.get(), path, raw), fmt::format("layer {}", layer_path));
      archive_entry_set_pathname(entry, path.c_str());
      if (const char *link = archive_entry_hardlink(entry)) {
        auto target = TRY_CTX(clean_entry_path(link), fmt::format("layer {}: hard link {}", layer_path, path));
        TRY_CTX(check_parents(root.get(), target, link), fmt::format("layer {}: hard link {}", layer_path, path));
        archive_entry_set_hardlink(entry, target.c_str());
      }
      if (archive_write_header(out.get(), entry) < ARCHIVE_WARN)
        return std::unexpected(Error{EPERM, fmt::format("layer {}: entry \"{}\": {}", layer_path, raw,
                                                        archive_error_string(out.get()))});
      if (archive_entry_size(entry) > 0) {
        const void *buf;
        size_t size;
        la_int64_t offset;
        while ((r = archive_read_data_block(in.get(), &buf, &size, &offset)) == ARCHIVE_OK) {
          if (archive_write_data_block(out.get(), buf, size, offset) < ARCHIVE_WARN)
            return make_error("layer {}: write \"{}\": {}", layer_path, path, archive_error_string(out.get()));
        }
        if (r != ARCHIVE_EOF)
          return make_error("layer {}: read \"{}\": {}", layer_path, path, archive_error_string(in.get()));
      }
      if (archive_write_finish_entry(out.get()) < ARCHIVE_WARN)
        return make_error("layer {}: finish \"{}\": {}", layer_path, path, archive_error_string(out.get()));
      if (mode == WhiteoutMode::apply) created.insert(path);
    }
    // Directory modes and times are fixed up here, after their contents.
    if (archive_write_close(out.get()) < ARCHIVE_WARN)
      return make_error("layer {}: {}", layer_path, archive_error_string(out.get()));
    return {};
  }
};

}  // namespace

Result<void> unpack_layer(const std::string &layer_path, const std::string &dir, WhiteoutMode mode) {
  Result<void> result;
  std::thread worker([&] {
    Unpacker u{layer_path, dir, mode, {}};
    result = u.run();
  });
  worker.join();
  return result;
}

Result<std::string> layer_diff_id(const std::string &layer_path) {
  ReadPtr in(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(in.get());
  archive_read_support_format_raw(in.get());
  archive_entry *entry;
  if (archive_read_open_filename(in.get(), layer_path.c_str(), 1 << 16) != ARCHIVE_OK ||
      archive_read_next_header(in.get(), &entry) != ARCHIVE_OK)
    return make_error("open layer {}: {}", layer_path, archive_error_string(in.get()));
  Sha256 h;
  char buf[1 << 16];
  la_ssize_t n;
  while ((n = archive_read_data(in.get(), buf, sizeof buf)) > 0) h.update(buf, static_cast<size_t>(n));
  if (n < 0) return make_error("decompress layer {}: {}", layer_path, archive_error_string(in.get()));
  return "sha256:" + h.finish();
}

}  // namespace berth::images
