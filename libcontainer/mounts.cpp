#include "libcontainer/mounts.h"
#include "libcontainer/idmap_mount.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <array>

#include "libcontainer/cgroup_mount.h"
#include "libcontainer/safe_path.h"
#include "libcontainer/selinux_label.h"

namespace berth {
namespace {

// Bind mounts below /proc are refused except onto these files, which tools
// like lxcfs replace: anything else there could hide procfs protections.
constexpr std::array kProcBindAllowed = {
    "proc/cpuinfo", "proc/diskstats", "proc/meminfo", "proc/stat",  "proc/swaps",
    "proc/uptime",  "proc/loadavg",   "proc/slabinfo", "proc/net/dev", "proc/sys/kernel/ns_last_pid",
};

Result<void> check_proc_destination(const Mount &m, const std::string &rel) {
  if (rel != "proc" && rel.rfind("proc/", 0) != 0) return {};
  if (rel == "proc" && m.type == "proc") return {};
  for (auto allowed : kProcBindAllowed)
    if (rel == allowed) return {};
  return make_error("mount destination \"{}\": mounting over /proc{} is not allowed", m.destination,
                    rel == "proc" ? " with anything but procfs" : " entries");
}

// statvfs flags that equal, or map to, MS_* flags a remount must repeat.
unsigned long current_flags(const std::string &target, bool with_atime) {
  struct statvfs s{};
  if (::statvfs(target.c_str(), &s) != 0) return 0;
  unsigned long f = s.f_flag & (ST_NOSUID | ST_NODEV | ST_NOEXEC | ST_RDONLY);
  if (with_atime) {
    if (s.f_flag & ST_NOATIME) f |= MS_NOATIME;
    if (s.f_flag & ST_NODIRATIME) f |= MS_NODIRATIME;
    if (s.f_flag & ST_RELATIME) f |= MS_RELATIME;
  }
  return f;
}

std::string display_type(const Mount &m) { return m.type.empty() ? std::string("bind") : m.type; }

}  // namespace

Result<void> bind_remount(const std::string &target, unsigned long flags, bool keep_current, bool atime_given) {
  unsigned long f = MS_BIND | MS_REMOUNT | (flags & ~(MS_BIND | MS_REC | MS_REMOUNT));
  if (keep_current) f |= current_flags(target, false) & (MS_NOSUID | MS_NODEV | MS_NOEXEC);
  if (::mount(nullptr, target.c_str(), nullptr, f, nullptr) == 0) return {};
  int err = errno;
  if (err == EPERM) {
    unsigned long retry = f | current_flags(target, !atime_given);
    if (retry != f && ::mount(nullptr, target.c_str(), nullptr, retry, nullptr) == 0) return {};
  }
  return sys_error(err, "remount");
}

Result<void> apply_mount_extras(int target_fd, const ParsedMountOptions &o, std::string_view what) {
  if (o.has_recursive_attrs()) {
    mount_attr attr{};
    attr.attr_set = o.rec_attr_set;
    attr.attr_clr = o.rec_attr_clr;
    if (::mount_setattr(target_fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0)
      return sys_error(errno, "set recursive mount attributes on {}", what);
  }
  const std::string target = fd_path(target_fd);
  for (unsigned long p : o.propagation)
    if (::mount(nullptr, target.c_str(), nullptr, p, nullptr) != 0)
      return sys_error(errno, "change mount propagation of {}", what);
  return {};
}

Result<void> mount_spec_entry(const Mount &m, size_t index, const MountContext &ctx) {
  const std::string rel = clean_relative(m.destination);
  const std::string dest = "/" + rel;
  const std::string where = fmt::format("{} (in rootfs {})", dest, ctx.rootfs);
  TRY(check_proc_destination(m, rel));
  ParsedMountOptions o =
      TRY_CTX(parse_mount_options(m.options), fmt::format("mounts[{}] (\"{}\")", index, m.destination));
  // Mount options may say bind; so may the type alone. A bare type "bind"
  // means what the mount(8) user expects from it: the whole tree (crun agrees).
  const bool bind = m.type == "bind" || (o.flags & MS_BIND);
  if (bind && !(o.flags & MS_BIND)) o.flags |= MS_BIND | MS_REC;
  // "tmpcopyup" (copy the image's files into a fresh tmpfs) is accepted and
  // not done: the tmpfs starts empty.
  // /dev stays writable until the devices are made; finalize_rootfs remounts it.
  if (rel == "dev") o.flags &= ~MS_RDONLY;

  if (m.type == "cgroup" || m.type == "cgroup2") {
    Fd dest_fd = TRY_CTX(create_in_root(ctx.root_fd, rel, PathKind::Directory),
                         fmt::format("mount destination \"{}\": resolving inside rootfs", m.destination));
    return mount_cgroup(m, o, std::move(dest_fd), ctx);
  }

  unsigned long flags = o.flags;
  std::string source = m.source;
  std::string type = m.type;
  if (bind) {
    if (source.empty()) return make_error("mounts[{}] (\"{}\"): a bind mount needs a source", index, m.destination);
    if (source[0] != '/') source = ctx.bundle + "/" + source;
    type.clear();
  }
  PathKind kind = PathKind::Directory;
  if (bind) {
    struct stat st{};
    if (::stat(source.c_str(), &st) != 0) return sys_error(errno, "bind mount source {} for {}", source, where);
    if (!S_ISDIR(st.st_mode)) kind = PathKind::File;
  }

  Fd dest_fd = TRY_CTX(create_in_root(ctx.root_fd, rel, kind),
                       fmt::format("mount destination \"{}\": resolving inside rootfs", m.destination));
  const std::string target = fd_path(dest_fd.get());
  std::string what = bind ? fmt::format("bind mount {}", source) : fmt::format("mount {}", display_type(m));
  const char *src = source.empty() ? type.c_str() : source.c_str();
  std::string data = o.data;
  if (!ctx.mount_label.empty() && takes_context_option(m.type, bind)) {
    data = mount_data_with_label(data, ctx.mount_label);
    what += fmt::format(" with linux.mountLabel \"{}\"", ctx.mount_label);
  }
  // A bind takes only MS_BIND|MS_REC; the other flags need a remount below.
  unsigned long first = bind ? (flags & (MS_BIND | MS_REC)) : (flags & ~(MS_BIND | MS_REC | MS_REMOUNT));
  // Mappings given without "idmap"/"ridmap" still ask for an idmapped mount.
  if (o.idmap || !m.uid_mappings.empty()) {
    if (!bind) return make_error("mounts[{}] (\"{}\"): idmap applies to bind mounts only", index, m.destination);
    const std::string idmapped = fmt::format("mounts[{}] ({} on {})", index, source, where);
    if (ctx.in_user_ns) {
      // Made by the parent, which still had the privilege over the source (idmap_trees.h).
      int tree_fd = -1;
      if (ctx.idmapped_tree_fds)
        if (auto it = ctx.idmapped_tree_fds->find(index); it != ctx.idmapped_tree_fds->end()) tree_fd = it->second;
      if (tree_fd < 0) return make_error("{}: no id-mapped tree was prepared for it", idmapped);
      TRY(attach_idmapped_tree(tree_fd, dest_fd.get(), idmapped));
    } else {
      TRY(mount_idmapped(source, dest_fd.get(), m.uid_mappings, m.gid_mappings, flags & MS_REC, o.idmap_recursive,
                         idmapped));
    }
  } else if (::mount(src, target.c_str(), type.empty() ? nullptr : type.c_str(), first,
              data.empty() ? nullptr : data.c_str()) != 0) {
    int err = errno;
    // Without a network namespace of its own a user namespace may not mount
    // sysfs; the host's /sys, bound read-only as mounted, is what runc gives instead.
    if (err == EPERM && m.type == "sysfs" && ctx.in_user_ns &&
        ::mount("/sys", target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0) {
      Fd top = TRY_CTX(open_in_root(ctx.root_fd, rel), fmt::format("mount destination \"{}\"", m.destination));
      TRY_CTX(bind_remount(fd_path(top.get()), flags, false, o.atime_given), fmt::format("{} on {}", what, where));
      return apply_mount_extras(top.get(), o, where);
    }
    return sys_error(err, "{} on {}", what, where);
  }

  // The fd still names the directory under the new mount; reopen to reach the mount itself.
  Fd top = TRY_CTX(open_in_root(ctx.root_fd, rel), fmt::format("mount destination \"{}\"", m.destination));
  if (bind && (flags & ~(MS_BIND | MS_REC | MS_REMOUNT)) != 0)
    TRY_CTX(bind_remount(fd_path(top.get()), flags, false, o.atime_given), fmt::format("{} on {}", what, where));
  if (m.type == "mqueue") TRY_CTX(set_file_label(fd_path(top.get()), ctx.mount_label, "linux.mountLabel"), where);
  return apply_mount_extras(top.get(), o, where);
}

}  // namespace berth
