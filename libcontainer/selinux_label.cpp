#include "libcontainer/selinux_label.h"

#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "libcontainer/fd.h"

namespace berth {

std::string mount_data_with_label(std::string_view data, std::string_view label) {
  std::string out(data);
  if (label.empty()) return out;
  if (!out.empty()) out += ',';
  out += "context=\"";
  out += label;
  out += '"';
  return out;
}

bool takes_context_option(std::string_view type, bool bind) {
  if (bind) return false;
  return type != "proc" && type != "sysfs" && type != "mqueue" && type != "cgroup" && type != "cgroup2";
}

Result<void> set_file_label(const std::string &path, std::string_view label, std::string_view field) {
  if (label.empty()) return {};
  const std::string value(label);
  int rc;
  // setxattr, not runc's lsetxattr: path is usually a /proc/self/fd magic link to follow.
  do rc = ::setxattr(path.c_str(), "security.selinux", value.c_str(), value.size() + 1, 0);
  while (rc != 0 && errno == EINTR);
  if (rc != 0) return sys_error(errno, "{}: label {} \"{}\"", field, path, value);
  return {};
}

Result<void> check_selinux_context(std::string_view label, std::string_view field) {
  if (label.empty()) return {};
  Fd fd(::open("/sys/fs/selinux/context", O_RDWR | O_CLOEXEC));
  if (!fd) return sys_error(errno, "{}: \"{}\": open /sys/fs/selinux/context to check it", field, label);
  if (::write(fd.get(), label.data(), label.size()) < 0) {
    if (errno == EINVAL) return make_error("{}: \"{}\" is not a valid SELinux context in the loaded policy", field, label);
    return sys_error(errno, "{}: \"{}\": check it through /sys/fs/selinux/context", field, label);
  }
  return {};
}

namespace {

Result<void> write_keycreate(std::string_view value) {
  Fd fd(::open("/proc/thread-self/attr/keycreate", O_WRONLY | O_CLOEXEC));
  if (!fd) return sys_error(errno, "open /proc/thread-self/attr/keycreate");
  if (::write(fd.get(), value.data(), value.size()) < 0) return sys_error(errno, "write /proc/thread-self/attr/keycreate");
  return {};
}

}  // namespace

Result<void> set_key_label(std::string_view label, std::string_view field) {
  if (label.empty()) return {};
  TRY_CTX(write_keycreate(label), fmt::format("{}: label the session keyring \"{}\"", field, label));
  return {};
}

void reset_key_label() {
  // A lone newline clears keycreate (selinux_setprocattr); exec clears it too.
  (void)write_keycreate("\n");
}

}  // namespace berth
