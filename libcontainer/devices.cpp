#include "libcontainer/devices.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <array>

#include "libcontainer/safe_path.h"

namespace berth {
namespace {

const std::array kDefaultDevices = {
    Device{'c', "/dev/null", 1, 3, 0666, 0, 0},    Device{'c', "/dev/zero", 1, 5, 0666, 0, 0},
    Device{'c', "/dev/full", 1, 7, 0666, 0, 0},    Device{'c', "/dev/random", 1, 8, 0666, 0, 0},
    Device{'c', "/dev/urandom", 1, 9, 0666, 0, 0}, Device{'c', "/dev/tty", 5, 0, 0666, 0, 0},
};

// Restores the umask on every way out: device modes are meant exactly as given.
class UmaskGuard {
 public:
  explicit UmaskGuard(mode_t m) : old_(::umask(m)) {}
  ~UmaskGuard() { ::umask(old_); }
  UmaskGuard(const UmaskGuard &) = delete;
  UmaskGuard &operator=(const UmaskGuard &) = delete;

 private:
  mode_t old_;
};

Result<mode_t> node_type(const Device &d) {
  switch (d.type) {
    case 'c':
    case 'u':
      return S_IFCHR;
    case 'b':
      return S_IFBLK;
    case 'p':
      return S_IFIFO;
    default:
      return make_error("device {}: unknown type '{}'", d.path, d.type);
  }
}

Result<void> bind_host_node(const Device &d, int root_fd, const std::string &rel) {
  Fd f = TRY_CTX(create_in_root(root_fd, rel, PathKind::File), fmt::format("device {}", d.path));
  if (::mount(d.path.c_str(), fd_path(f.get()).c_str(), nullptr, MS_BIND, nullptr) != 0)
    return sys_error(errno, "bind mount host device {} into the container", d.path);
  return {};
}

Result<void> create_device(const Device &d, int root_fd, bool in_user_ns) {
  const std::string rel = clean_relative(d.path);
  if (rel.empty()) return make_error("device path \"{}\" names the root", d.path);
  const mode_t type = TRY(node_type(d));
  if (in_user_ns) return bind_host_node(d, root_fd, rel);

  const auto slash = rel.rfind('/');
  const std::string dir = slash == std::string::npos ? std::string() : rel.substr(0, slash);
  const std::string name = slash == std::string::npos ? rel : rel.substr(slash + 1);
  Fd parent = TRY_CTX(create_in_root(root_fd, dir, PathKind::Directory), fmt::format("device {}", d.path));
  const mode_t mode = type | (d.file_mode.value_or(0666) & 07777);
  const dev_t dev = type == S_IFIFO ? 0 : ::makedev(static_cast<unsigned>(d.major), static_cast<unsigned>(d.minor));
  if (::mknodat(parent.get(), name.c_str(), mode, dev) != 0) {
    if (errno == EEXIST) return {};  // the image or an earlier mount already has it
    if (errno == EPERM) return bind_host_node(d, root_fd, rel);
    return sys_error(errno, "mknod device {}", d.path);
  }
  // The node is our own new one, so changing its owner touches nothing of the host's.
  if (::fchownat(parent.get(), name.c_str(), d.uid.value_or(0), d.gid.value_or(0), AT_SYMLINK_NOFOLLOW) != 0)
    return sys_error(errno, "chown device {} to {}:{}", d.path, d.uid.value_or(0), d.gid.value_or(0));
  return {};
}

}  // namespace

std::span<const Device> default_devices() { return kDefaultDevices; }

Result<void> create_devices(const Spec &spec, int root_fd, bool in_user_ns) {
  UmaskGuard umask0(0);
  static const std::vector<Device> kNone;
  const auto &extra = spec.linux ? spec.linux->devices : kNone;
  for (const auto &d : kDefaultDevices) {
    bool overridden = false;
    for (const auto &e : extra)
      if (clean_relative(e.path) == clean_relative(d.path)) overridden = true;
    if (!overridden) TRY(create_device(d, root_fd, in_user_ns));
  }
  for (const auto &d : extra) TRY(create_device(d, root_fd, in_user_ns));
  return {};
}

Result<void> create_dev_links(int root_fd, bool with_ptmx) {
  Fd dev = TRY_CTX(create_in_root(root_fd, "dev", PathKind::Directory), "create /dev links");
  struct Link {
    const char *target, *name;
  };
  std::vector<Link> links = {
      {"/proc/self/fd", "fd"}, {"/proc/self/fd/0", "stdin"}, {"/proc/self/fd/1", "stdout"}, {"/proc/self/fd/2", "stderr"}};
  if (::access("/proc/kcore", F_OK) == 0) links.push_back({"/proc/kcore", "core"});
  for (const auto &l : links)
    if (::symlinkat(l.target, dev.get(), l.name) != 0 && errno != EEXIST)
      return sys_error(errno, "symlink /dev/{} to {}", l.name, l.target);
  if (with_ptmx) {
    // The new devpts instance's own ptmx must be the one used, not any node the image ships.
    if (::unlinkat(dev.get(), "ptmx", 0) != 0 && errno != ENOENT) return sys_error(errno, "remove /dev/ptmx");
    if (::symlinkat("pts/ptmx", dev.get(), "ptmx") != 0) return sys_error(errno, "symlink /dev/ptmx to pts/ptmx");
  }
  return {};
}

}  // namespace berth
