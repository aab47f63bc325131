#include "libcontainer/file_util.h"

#include <fcntl.h>
#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include "libcontainer/fd.h"

namespace berth {

Result<std::string> read_file(const std::string &path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "open {}", path);
  std::string out;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno, "read {}", path);
    }
    if (n == 0) break;
    out.append(buf, n);
  }
  return out;
}

static Result<void> write_all(int fd, std::string_view content, const std::string &path) {
  while (!content.empty()) {
    ssize_t n = ::write(fd, content.data(), content.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno, "write {}", path);
    }
    content.remove_prefix(n);
  }
  return {};
}

Result<void> write_file_atomic(const std::string &path, std::string_view content, mode_t mode) {
  std::string tmp = path + ".tmp";
  Fd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode));
  if (!fd) return sys_error(errno, "create {}", tmp);
  auto ok = write_all(fd.get(), content, tmp);
  if (ok && ::fsync(fd.get()) < 0) ok = sys_error(errno, "fsync {}", tmp);
  if (ok && ::rename(tmp.c_str(), path.c_str()) < 0) ok = sys_error(errno, "rename {} to {}", tmp, path);
  if (!ok) ::unlink(tmp.c_str());
  return ok;
}

Result<void> write_file(const std::string &path, std::string_view content) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "open {}", path);
  return write_all(fd.get(), content, path);
}

Result<void> remove_tree(const std::string &path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) < 0) {
    if (errno == ENOENT) return {};
    return sys_error(errno, "stat {}", path);
  }
  int rc = ::nftw(
      path.c_str(),
      [](const char *p, const struct stat *, int type, struct FTW *) -> int {
        int r = (type == FTW_DP) ? ::rmdir(p) : ::unlink(p);
        return (r < 0 && errno != ENOENT) ? -1 : 0;
      },
      16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
  if (rc < 0) return sys_error(errno, "remove {}", path);
  return {};
}

Result<void> mkdir_all(const std::string &path, mode_t mode) {
  // The parent usually exists: try the leaf first and walk up only on ENOENT,
  // rather than a mkdir per level from "/" every time.
  if (path.empty()) return {};
  if (::mkdir(path.c_str(), mode) == 0) return {};
  if (errno == EEXIST) return {};
  if (errno != ENOENT) return sys_error(errno, "mkdir {}", path);
  auto slash = path.find_last_not_of('/') == std::string::npos ? std::string::npos
                                                               : path.rfind('/', path.find_last_not_of('/'));
  if (slash == std::string::npos || slash == 0) return sys_error(ENOENT, "mkdir {}", path);
  TRY(mkdir_all(path.substr(0, slash), mode));
  if (::mkdir(path.c_str(), mode) < 0 && errno != EEXIST) return sys_error(errno, "mkdir {}", path);
  return {};
}

}  // namespace berth
