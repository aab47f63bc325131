#include "libcontainer/mount_options.h"

#include <sys/mount.h>

#include <array>

namespace berth {
namespace {

using K = MountOptionKind;

// Names and meanings follow runc's specconv tables and mount(8).
constexpr std::array kOptions = {
    MountOption{"defaults", K::SetFlag, 0},
    MountOption{"ro", K::SetFlag, MS_RDONLY},
    MountOption{"rw", K::ClearFlag, MS_RDONLY},
    MountOption{"suid", K::ClearFlag, MS_NOSUID},
    MountOption{"nosuid", K::SetFlag, MS_NOSUID},
    MountOption{"dev", K::ClearFlag, MS_NODEV},
    MountOption{"nodev", K::SetFlag, MS_NODEV},
    MountOption{"exec", K::ClearFlag, MS_NOEXEC},
    MountOption{"noexec", K::SetFlag, MS_NOEXEC},
    MountOption{"sync", K::SetFlag, MS_SYNCHRONOUS},
    MountOption{"async", K::ClearFlag, MS_SYNCHRONOUS},
    MountOption{"dirsync", K::SetFlag, MS_DIRSYNC},
    MountOption{"remount", K::SetFlag, MS_REMOUNT},
    MountOption{"mand", K::SetFlag, MS_MANDLOCK},
    MountOption{"nomand", K::ClearFlag, MS_MANDLOCK},
    MountOption{"atime", K::ClearFlag, MS_NOATIME},
    MountOption{"noatime", K::SetFlag, MS_NOATIME},
    MountOption{"diratime", K::ClearFlag, MS_NODIRATIME},
    MountOption{"nodiratime", K::SetFlag, MS_NODIRATIME},
    MountOption{"relatime", K::SetFlag, MS_RELATIME},
    MountOption{"norelatime", K::ClearFlag, MS_RELATIME},
    MountOption{"strictatime", K::SetFlag, MS_STRICTATIME},
    MountOption{"nostrictatime", K::ClearFlag, MS_STRICTATIME},
    MountOption{"lazytime", K::SetFlag, MS_LAZYTIME},
    MountOption{"nolazytime", K::ClearFlag, MS_LAZYTIME},
    MountOption{"iversion", K::SetFlag, MS_I_VERSION},
    MountOption{"noiversion", K::ClearFlag, MS_I_VERSION},
    MountOption{"acl", K::SetFlag, MS_POSIXACL},
    MountOption{"noacl", K::ClearFlag, MS_POSIXACL},
    MountOption{"silent", K::SetFlag, MS_SILENT},
    MountOption{"loud", K::ClearFlag, MS_SILENT},
    MountOption{"symfollow", K::ClearFlag, MS_NOSYMFOLLOW},
    MountOption{"nosymfollow", K::SetFlag, MS_NOSYMFOLLOW},
    MountOption{"bind", K::SetFlag, MS_BIND},
    MountOption{"rbind", K::SetFlag, MS_BIND | MS_REC},

    MountOption{"private", K::Propagation, MS_PRIVATE},
    MountOption{"rprivate", K::Propagation, MS_PRIVATE | MS_REC},
    MountOption{"shared", K::Propagation, MS_SHARED},
    MountOption{"rshared", K::Propagation, MS_SHARED | MS_REC},
    MountOption{"slave", K::Propagation, MS_SLAVE},
    MountOption{"rslave", K::Propagation, MS_SLAVE | MS_REC},
    MountOption{"unbindable", K::Propagation, MS_UNBINDABLE},
    MountOption{"runbindable", K::Propagation, MS_UNBINDABLE | MS_REC},

    MountOption{"rro", K::RecAttrSet, MOUNT_ATTR_RDONLY},
    MountOption{"rrw", K::RecAttrClear, MOUNT_ATTR_RDONLY},
    MountOption{"rnosuid", K::RecAttrSet, MOUNT_ATTR_NOSUID},
    MountOption{"rsuid", K::RecAttrClear, MOUNT_ATTR_NOSUID},
    MountOption{"rnodev", K::RecAttrSet, MOUNT_ATTR_NODEV},
    MountOption{"rdev", K::RecAttrClear, MOUNT_ATTR_NODEV},
    MountOption{"rnoexec", K::RecAttrSet, MOUNT_ATTR_NOEXEC},
    MountOption{"rexec", K::RecAttrClear, MOUNT_ATTR_NOEXEC},
    MountOption{"rnodiratime", K::RecAttrSet, MOUNT_ATTR_NODIRATIME},
    MountOption{"rdiratime", K::RecAttrClear, MOUNT_ATTR_NODIRATIME},
    MountOption{"rrelatime", K::RecAttrSet, MOUNT_ATTR_RELATIME},
    MountOption{"rnorelatime", K::RecAttrClear, MOUNT_ATTR_RELATIME},
    MountOption{"rnoatime", K::RecAttrSet, MOUNT_ATTR_NOATIME},
    MountOption{"ratime", K::RecAttrClear, MOUNT_ATTR_NOATIME},
    MountOption{"rstrictatime", K::RecAttrSet, MOUNT_ATTR_STRICTATIME},
    MountOption{"rnostrictatime", K::RecAttrClear, MOUNT_ATTR_STRICTATIME},
    MountOption{"rnosymfollow", K::RecAttrSet, MOUNT_ATTR_NOSYMFOLLOW},
    MountOption{"rsymfollow", K::RecAttrClear, MOUNT_ATTR_NOSYMFOLLOW},

    MountOption{"tmpcopyup", K::Extension, 0},
    MountOption{"idmap", K::Extension, 0},
    MountOption{"ridmap", K::Extension, 0},
};

constexpr unsigned long kAtimeFlags = MS_NOATIME | MS_RELATIME | MS_STRICTATIME;

const MountOption *find_option(std::string_view name) {
  for (const auto &o : kOptions)
    if (o.name == name) return &o;
  return nullptr;
}

}  // namespace

std::span<const MountOption> known_mount_options() { return kOptions; }

Result<ParsedMountOptions> parse_mount_options(std::span<const std::string> options) {
  ParsedMountOptions out;
  for (const auto &name : options) {
    const MountOption *o = find_option(name);
    if (o == nullptr) {
      if (!out.data.empty()) out.data += ',';
      out.data += name;
      continue;
    }
    switch (o->kind) {
      case K::SetFlag:
        // The atime modes exclude each other: the last one given wins.
        if (o->flag & kAtimeFlags) out.flags &= ~kAtimeFlags;
        out.flags |= o->flag;
        break;
      case K::ClearFlag:
        out.flags &= ~o->flag;
        break;
      case K::Propagation:
        out.propagation.push_back(o->flag);
        break;
      case K::RecAttrSet:
        // The kernel treats the atime field as one value: replacing it needs
        // the whole field cleared (relatime is 0, so it is only a clear).
        if ((o->flag & MOUNT_ATTR__ATIME) == o->flag) {
          out.rec_attr_clr |= MOUNT_ATTR__ATIME;
          out.rec_attr_set &= ~MOUNT_ATTR__ATIME;
        } else {
          out.rec_attr_clr &= ~o->flag;
        }
        out.rec_attr_set |= o->flag;
        break;
      case K::RecAttrClear:
        if ((o->flag & MOUNT_ATTR__ATIME) == o->flag) {
          // Leaving an atime mode falls back to relatime, the kernel default.
          out.rec_attr_clr |= MOUNT_ATTR__ATIME;
          out.rec_attr_set &= ~MOUNT_ATTR__ATIME;
        } else {
          out.rec_attr_clr |= o->flag;
          out.rec_attr_set &= ~o->flag;
        }
        break;
      case K::Extension:
        if (name == "idmap" || name == "ridmap") {
          out.idmap = true;
          out.idmap_recursive = name == "ridmap";
        } else {
          out.tmpcopyup = true;
        }
        break;
      case K::Unsupported:
        return make_error("mount option \"{}\" is not supported yet", name);
    }
    if ((o->kind == K::SetFlag || o->kind == K::ClearFlag) && (o->flag & kAtimeFlags))
      out.atime_given = true;
  }
  return out;
}

Result<unsigned long> parse_rootfs_propagation(std::string_view name) {
  if (name.empty()) return 0UL;
  const MountOption *o = find_option(name);
  if (o == nullptr || o->kind != K::Propagation)
    return make_error("linux.rootfsPropagation: unknown propagation \"{}\"", name);
  return o->flag;
}

}  // namespace berth
