#include "libcontainer/rootfs.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "libcontainer/devices.h"
#include "libcontainer/masked_paths.h"
#include "libcontainer/mount_options.h"
#include "libcontainer/mountinfo.h"
#include "libcontainer/mounts.h"
#include "libcontainer/safe_path.h"
#include "libcontainer/sysctl.h"

namespace berth {
namespace {

// pivot_root and MS_MOVE refuse a rootfs whose parent mount is shared (the
// move would propagate to peers outside the container), so such a parent is
// made private in this namespace first.
Result<void> make_parent_private(const std::string &rootfs, const std::vector<MountInfo> &table) {
  const MountInfo *parent = mount_holding(table, rootfs);
  if (parent == nullptr || parent->optional.find("shared:") == std::string::npos) return {};
  if (::mount(nullptr, parent->mount_point.c_str(), nullptr, MS_PRIVATE, nullptr) != 0)
    return sys_error(errno, "make {} (the mount holding rootfs {}) private", parent->mount_point, rootfs);
  return {};
}

Fd open_dir(const std::string &path) { return Fd(::open(path.c_str(), O_DIRECTORY | O_RDONLY | O_CLOEXEC)); }

// pivot_root(".", ".") stacks the old root under the new one at "/"; detaching
// it needs no directory inside the rootfs, so nothing of the host stays reachable.
Result<void> pivot_into(const std::string &rootfs) {
  Fd old_root = open_dir("/");
  if (!old_root) return sys_error(errno, "pivot_root: open /");
  Fd new_root = open_dir(rootfs);
  if (!new_root) return sys_error(errno, "pivot_root: open {}", rootfs);
  if (::fchdir(new_root.get()) != 0) return sys_error(errno, "pivot_root: chdir to {}", rootfs);
  if (::syscall(SYS_pivot_root, ".", ".") != 0) return sys_error(errno, "pivot_root into {}", rootfs);
  if (::fchdir(old_root.get()) != 0) return sys_error(errno, "pivot_root: chdir to the old root");
  // The old root must not carry the unmount to the host's mounts.
  if (::mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) != 0)
    return sys_error(errno, "pivot_root: make the old root a slave");
  if (::umount2(".", MNT_DETACH) != 0) return sys_error(errno, "pivot_root: detach the old root");
  if (::chdir("/") != 0) return sys_error(errno, "pivot_root: chdir to /");
  return {};
}

Result<void> move_into(const std::string &rootfs) {
  if (::chdir(rootfs.c_str()) != 0) return sys_error(errno, "chdir to {}", rootfs);
  if (::mount(rootfs.c_str(), "/", nullptr, MS_MOVE, nullptr) != 0) return sys_error(errno, "move {} to /", rootfs);
  if (::chroot(".") != 0) return sys_error(errno, "chroot into {}", rootfs);
  if (::chdir("/") != 0) return sys_error(errno, "chdir to / in {}", rootfs);
  return {};
}

bool is_bind(const Mount &m) {
  if (m.type == "bind") return true;
  for (const auto &o : m.options)
    if (o == "bind" || o == "rbind") return true;
  return false;
}

}  // namespace

Result<void> prepare_rootfs(const Spec &spec, const RootfsOptions &opts) {
  const std::string propagation = spec.linux ? spec.linux->rootfs_propagation : std::string();
  unsigned long root_flags = TRY(parse_rootfs_propagation(propagation));
  // Default as runc: host mounts still propagate in, nothing propagates out.
  if (root_flags == 0) root_flags = MS_SLAVE | MS_REC;
  if (::mount(nullptr, "/", nullptr, root_flags, nullptr) != 0)
    return sys_error(errno, "set mount propagation of / to \"{}\"", propagation.empty() ? "rslave" : propagation);
  // Read once: the "cgroup" mount below needs the same table (the host's
  // hierarchies under /sys/fs/cgroup), which nothing done in between changes.
  const auto table = TRY_CTX(read_mountinfo(), "prepare rootfs");
  TRY(make_parent_private(opts.rootfs, table));
  if (::mount(opts.rootfs.c_str(), opts.rootfs.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
    return sys_error(errno, "bind mount rootfs {} onto itself", opts.rootfs);

  Fd root(::open(opts.rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root) return sys_error(errno, "open rootfs {}", opts.rootfs);

  MountContext ctx;
  ctx.root_fd = root.get();
  ctx.rootfs = opts.rootfs;
  ctx.bundle = opts.bundle;
  ctx.in_user_ns = opts.in_user_ns;
  ctx.idmapped_tree_fds = &opts.idmapped_tree_fds;
  ctx.mountinfo = &table;
  ctx.cgroup_ns = spec.linux && spec.linux->find_namespace(NamespaceType::Cgroup) != nullptr;
  if (spec.linux) ctx.mount_label = spec.linux->mount_label;

  bool dev_is_bind = false, have_devpts = false;
  for (size_t i = 0; i < spec.mounts.size(); ++i) {
    const Mount &m = spec.mounts[i];
    TRY(mount_spec_entry(m, i, ctx));
    const std::string rel = clean_relative(m.destination);
    if (rel == "dev" && is_bind(m)) dev_is_bind = true;
    if (rel == "dev/pts" && m.type == "devpts") have_devpts = true;
  }

  // A /dev bound from elsewhere is taken as it is; otherwise it is filled as runc does.
  if (!dev_is_bind) {
    TRY_CTX(create_devices(spec, root.get(), opts.in_user_ns), fmt::format("rootfs {}", opts.rootfs));
    TRY_CTX(create_dev_links(root.get(), have_devpts), fmt::format("rootfs {}", opts.rootfs));
  }

  root.reset();
  if (opts.before_pivot) TRY(opts.before_pivot());
  if (opts.no_pivot) TRY(move_into(opts.rootfs));
  else TRY(pivot_into(opts.rootfs));
  // The new root is a fresh bind mount: give it the propagation asked for
  // (a shared rootfsPropagation must show on the container's "/").
  if (!propagation.empty() && ::mount(nullptr, "/", nullptr, root_flags, nullptr) != 0)
    return sys_error(errno, "set mount propagation of the container's / to \"{}\"", propagation);
  return {};
}

Result<void> finalize_rootfs(const Spec &spec) {
  if (spec.linux) {
    // Before readonlyPaths: /proc/sys is usually one of them.
    TRY(apply_sysctls(spec.linux->sysctl));
    TRY(make_paths_readonly(spec.linux->readonly_paths));
    TRY(mask_paths(spec.linux->masked_paths, spec.linux->mount_label));
  }
  for (const auto &m : spec.mounts) {
    if (clean_relative(m.destination) != "dev") continue;
    auto o = TRY(parse_mount_options(m.options));
    if (o.flags & MS_RDONLY) TRY_CTX(bind_remount("/dev", o.flags, false, o.atime_given), "make /dev read-only");
  }
  if (spec.root && spec.root->readonly) TRY_CTX(bind_remount("/", MS_RDONLY, false), "make the root read-only");
  return {};
}

}  // namespace berth
