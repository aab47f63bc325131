#include "libcontainer/cgroup_mount.h"

#include <linux/magic.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>

#include <map>

#include "libcontainer/file_util.h"
#include "libcontainer/mountinfo.h"
#include "libcontainer/safe_path.h"
#include "libcontainer/selinux_label.h"

namespace berth {
namespace {

constexpr const char *kCgroupRoot = "/sys/fs/cgroup";

// /proc/self/cgroup: controller list ("cpu,cpuacct", "name=systemd", "" for v2) -> path.
std::map<std::string, std::string> own_cgroups() {
  std::map<std::string, std::string> out;
  auto text = read_file("/proc/self/cgroup");
  if (!text) return out;
  std::string_view lines = *text;
  while (!lines.empty()) {
    size_t nl = lines.find('\n');
    std::string line(lines.substr(0, nl));
    lines = nl == std::string_view::npos ? std::string_view{} : lines.substr(nl + 1);
    auto a = line.find(':');
    auto b = line.find(':', a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    out[line.substr(a + 1, b - a - 1)] = line.substr(b + 1);
  }
  return out;
}

// Super options without the per-superblock rw/ro: what names a v1 hierarchy.
std::string hierarchy_options(const std::string &super) {
  std::string out;
  size_t pos = 0;
  while (pos <= super.size()) {
    size_t end = super.find(',', pos);
    if (end == std::string::npos) end = super.size();
    std::string opt = super.substr(pos, end - pos);
    if (!opt.empty() && opt != "rw" && opt != "ro") out += (out.empty() ? "" : ",") + opt;
    pos = end + 1;
  }
  return out;
}

// The controller list /proc/self/cgroup uses for a hierarchy with these options.
std::string controller_key(const std::string &options) {
  std::string out;
  size_t pos = 0;
  while (pos <= options.size()) {
    size_t end = options.find(',', pos);
    if (end == std::string::npos) end = options.size();
    std::string opt = options.substr(pos, end - pos);
    // xattr, noprefix, clone_children, release_agent=... are options, not controllers.
    bool controller = !opt.empty() && opt != "xattr" && opt != "noprefix" && opt != "clone_children" &&
                      opt != "cpuset_v2_mode" && opt != "favordynmods" && opt.rfind("release_agent=", 0) != 0;
    if (controller) out += (out.empty() ? "" : ",") + opt;
    pos = end + 1;
  }
  return out;
}

Result<void> mount_unified(const Mount &m, const ParsedMountOptions &o, Fd dest, const MountContext &ctx) {
  const std::string target = fd_path(dest.get());
  const std::string where = fmt::format("/{} (in rootfs {})", clean_relative(m.destination), ctx.rootfs);
  unsigned long flags = o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT);
  if (::mount("cgroup2", target.c_str(), "cgroup2", flags, o.data.empty() ? nullptr : o.data.c_str()) == 0)
    return {};
  int err = errno;
  // Without a cgroup namespace, a user namespace cannot mount cgroup2: runc binds the host's.
  if ((err == EPERM || err == EBUSY) &&
      ::mount(kCgroupRoot, target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) == 0) {
    Fd top = TRY(open_in_root(ctx.root_fd, m.destination));
    return bind_remount(fd_path(top.get()), flags, false, o.atime_given);
  }
  return sys_error(err, "mount cgroup2 on {}", where);
}

}  // namespace

Result<void> mount_cgroup(const Mount &m, const ParsedMountOptions &o, Fd dest, const MountContext &ctx) {
  struct statfs sfs{};
  if (::statfs(kCgroupRoot, &sfs) == 0 && sfs.f_type == CGROUP2_SUPER_MAGIC) return mount_unified(m, o, std::move(dest), ctx);
  if (m.type == "cgroup2") return mount_unified(m, o, std::move(dest), ctx);

  const std::string rel = clean_relative(m.destination);
  const std::string where = fmt::format("/{} (in rootfs {})", rel, ctx.rootfs);
  const bool ro = o.flags & MS_RDONLY;
  const unsigned long flags = o.flags & ~(MS_BIND | MS_REC | MS_REMOUNT | MS_RDONLY);

  std::vector<MountInfo> read_here;
  if (ctx.mountinfo == nullptr) read_here = TRY_CTX(read_mountinfo(), fmt::format("mount cgroup on {}", where));
  const std::vector<MountInfo> &table = ctx.mountinfo ? *ctx.mountinfo : read_here;
  auto own = own_cgroups();

  // The tmpfs holding the v1 hierarchies is labelled as any tmpfs (runc).
  const std::string data = mount_data_with_label("mode=755", ctx.mount_label);
  if (::mount("tmpfs", fd_path(dest.get()).c_str(), "tmpfs", flags, data.c_str()) != 0)
    return sys_error(errno, "mount tmpfs for cgroup on {}", where);
  Fd tmp = TRY_CTX(open_in_root(ctx.root_fd, rel, O_DIRECTORY), fmt::format("mount cgroup on {}", where));

  const std::string prefix = std::string(kCgroupRoot) + "/";
  for (size_t i = 0; i < table.size(); ++i) {
    const MountInfo &mi = table[i];
    if (mi.mount_point.rfind(prefix, 0) != 0) continue;
    // A hierarchy covered by a later mount (say a tmpfs over /sys/fs/cgroup)
    // is not the host's layout any more.
    if (mount_is_hidden(table, i)) continue;
    if (mi.fs_type != "cgroup" && mi.fs_type != "cgroup2") continue;
    const std::string name = mi.mount_point.substr(prefix.size());
    if (name.empty() || name.find('/') != std::string::npos) continue;
    const std::string what = fmt::format("cgroup hierarchy {} on {}/{}", name, where, name);

    // The tmpfs was mounted just above, so nothing is in it to resolve or
    // race with: make the directory, then open it once.
    if (::mkdirat(tmp.get(), name.c_str(), 0755) != 0 && errno != EEXIST) return sys_error(errno, "mkdir {}", what);
    Fd sub = TRY_CTX(open_in_root(tmp.get(), name), what);
    const std::string target = fd_path(sub.get());
    const bool v2 = mi.fs_type == "cgroup2";
    const std::string options = v2 ? std::string() : hierarchy_options(mi.super_options);
    if (ctx.cgroup_ns) {
      // Inside its own cgroup namespace a fresh mount shows the container's cgroup as the root.
      if (::mount("cgroup", target.c_str(), mi.fs_type.c_str(), flags | (ro ? MS_RDONLY : 0),
                  options.empty() ? nullptr : options.c_str()) != 0)
        return sys_error(errno, "mount {}", what);
    } else {
      // Without one, bind the container's own cgroup of this hierarchy when it can be
      // found, the hierarchy's root otherwise, as runc does.
      std::string source = mi.mount_point;
      auto it = own.find(v2 ? std::string() : controller_key(options));
      if (it != own.end() && it->second != "/" && mi.root == "/" &&
          ::access((mi.mount_point + it->second).c_str(), F_OK) == 0)
        source = mi.mount_point + it->second;
      if (::mount(source.c_str(), target.c_str(), nullptr, MS_BIND | MS_REC, nullptr) != 0)
        return sys_error(errno, "bind {} as {}", source, what);
      Fd top = TRY_CTX(open_in_root(tmp.get(), name), what);
      TRY_CTX(bind_remount(fd_path(top.get()), flags | (ro ? MS_RDONLY : 0), false, o.atime_given), what);
    }
    // Co-mounted controllers ("cpu,cpuacct") are also reachable by each name.
    if (!v2 && name.find(',') != std::string::npos) {
      size_t pos = 0;
      while (pos <= name.size()) {
        size_t end = name.find(',', pos);
        if (end == std::string::npos) end = name.size();
        std::string link = name.substr(pos, end - pos);
        if (!link.empty() && ::symlinkat(name.c_str(), tmp.get(), link.c_str()) != 0 && errno != EEXIST)
          return sys_error(errno, "symlink {}/{} to {}", where, link, name);
        pos = end + 1;
      }
    }
  }

  if (ro) TRY_CTX(bind_remount(fd_path(tmp.get()), flags | MS_RDONLY, false, o.atime_given), fmt::format("mount cgroup on {}", where));
  return apply_mount_extras(tmp.get(), o, where);
}

}  // namespace berth
