#include "cgroups/resource_write.h"

#include <fcntl.h>
#include <unistd.h>

#include "libcontainer/fd.h"

namespace berth::cgroups {

Result<void> write_resource(std::string_view field, const std::string &file, std::string_view value) {
  auto fail = [&](int err) {
    return std::unexpected(Error{err, fmt::format("linux.resources.{}: write {}: {}", field, file, std::strerror(err))});
  };
  Fd fd(::open(file.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return fail(errno);
  ssize_t n;
  do {
    n = ::write(fd.get(), value.data(), value.size());
  } while (n < 0 && errno == EINTR);
  if (n < 0) return fail(errno);
  if (static_cast<size_t>(n) != value.size())
    return make_error("linux.resources.{}: write {}: short write", field, file);
  return {};
}

bool file_exists(const std::string &path) { return ::access(path.c_str(), F_OK) == 0; }

}  // namespace berth::cgroups
