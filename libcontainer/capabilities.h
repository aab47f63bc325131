// process.capabilities: names resolved once in the runtime before clone (so
// warnings about unknown names print from the parent, to the user), then
// applied by the container's init around its uid change:
//
//   drop_bounding_set()      still uid 0: PR_CAPBSET_DROP, PR_SET_KEEPCAPS 1
//   (init sets gid/groups/uid)
//   apply_capabilities()     effective/permitted/inheritable, ambient, KEEPCAPS 0
//
// The apply functions only make system calls on the resolved bit masks.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// One bit per capability number (CAP_CHOWN = bit 0); the kernel's are all below 64.
struct ResolvedCapabilities {
  uint64_t bounding = 0, effective = 0, permitted = 0, inheritable = 0, ambient = 0;
  int last_cap = 0;  // the running kernel's highest capability number

  static constexpr uint64_t bit(int cap) { return uint64_t{1} << cap; }
  bool has_bounding(int cap) const { return bounding & bit(cap); }
};

struct CapabilityResolution {
  ResolvedCapabilities caps;
  // One sentence per dropped name, for the caller to print:
  // `process.capabilities.bounding: unknown capability "CAP_FOO" ignored`.
  std::vector<std::string> warnings;
  // Things left out that are not the user's mistake (for --debug).
  std::vector<std::string> notes;
};

// The kernel's highest capability number (/proc/sys/kernel/cap_last_cap, or
// what libcap probes when /proc is not there).
int kernel_last_cap();

// "CAP_NET_ADMIN" -> 12, or nullopt. Only the spec's spelling (upper case, CAP_
// prefix) is accepted; libcap alone would also take "net_admin" or "12".
std::optional<int> capability_from_name(std::string_view name);

// Every capability name libcap knows, "CAP_CHOWN" first (for `berth features`).
std::vector<std::string> capability_names();

// Before clone. Unknown names and capabilities above the kernel's last one
// are left out with a warning; so is an ambient capability that is not both
// permitted and inheritable, which the kernel would refuse to raise. An
// effective capability that is not permitted is an error (capset refuses it).
// An absent process.capabilities means an empty Capabilities{}: everything
// dropped, as runc does.
Result<CapabilityResolution> resolve_capabilities(const Capabilities &config);

// In the init, still uid 0 with CAP_SETPCAP: drops every capability not in
// the bounding set and sets PR_SET_KEEPCAPS, so the permitted set survives
// the switch away from uid 0.
Result<void> drop_bounding_set(const ResolvedCapabilities &caps);

// In the init, after its uid and gid changes: sets the effective, permitted
// and inheritable sets (cap_set_proc), then the ambient set (cleared, then
// each raised), then clears PR_SET_KEEPCAPS.
Result<void> apply_capabilities(const ResolvedCapabilities &caps);

// PR_SET_NO_NEW_PRIVS: from here on, execve grants nothing (setuid bits,
// file capabilities), and a seccomp filter can be loaded without CAP_SYS_ADMIN.
Result<void> set_no_new_privileges();

}  // namespace berth
