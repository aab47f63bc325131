// The one table of OCI mount option names: what each does to mount(2) flags,
// propagation, or recursive mount_setattr(2) attributes. The mount code and
// `berth features` (mountOptions) both read it, so they never disagree.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/result.h"

namespace berth {

enum class MountOptionKind {
  SetFlag,       // ORs `flag` into the mount(2) flags
  ClearFlag,     // removes `flag` from the mount(2) flags
  Propagation,   // applied by a separate mount(2) call after the mount
  RecAttrSet,    // mount_setattr(AT_RECURSIVE) attr_set
  RecAttrClear,  // mount_setattr(AT_RECURSIVE) attr_clr
  Extension,     // runtime extension with its own handling ("tmpcopyup", "idmap")
  Unsupported,   // known but refused (none at the moment)
};

struct MountOption {
  std::string_view name;
  MountOptionKind kind;
  unsigned long flag = 0;  // MS_* for flags and propagation, MOUNT_ATTR_* for recursive attrs
};

// Every option name berth knows, in table order.
std::span<const MountOption> known_mount_options();

// A spec mount's options, sorted into what each mount step needs.
struct ParsedMountOptions {
  unsigned long flags = 0;                  // for mount(2)
  std::vector<unsigned long> propagation;   // MS_SHARED|MS_REC, ..., in the order given
  uint64_t rec_attr_set = 0;                // mount_setattr attr_set
  uint64_t rec_attr_clr = 0;                // mount_setattr attr_clr
  std::string data;                         // unknown options, comma separated ("mode=755,size=64k")
  bool tmpcopyup = false;                   // accepted, not implemented: noted by the caller
  bool idmap = false;                       // "idmap" or "ridmap": an idmapped bind mount
  bool idmap_recursive = false;             // "ridmap": the mapping applies to every submount
  // Set by an atime option (noatime, relatime, strictatime and their negations),
  // so a remount keeps the caller's choice instead of the source's.
  bool atime_given = false;

  bool has_recursive_attrs() const { return rec_attr_set != 0 || rec_attr_clr != 0; }
};

// Fails only for options berth refuses (kind Unsupported).
Result<ParsedMountOptions> parse_mount_options(std::span<const std::string> options);

// Maps linux.rootfsPropagation ("rslave", ...) to MS_* flags; "" -> 0.
Result<unsigned long> parse_rootfs_propagation(std::string_view name);

}  // namespace berth
