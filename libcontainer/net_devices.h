// linux.netDevices: host network interfaces moved into the container's network
// namespace (renamed there when the config asks), over rtnetlink with libmnl.
//
// The parent does the move after clone and before it lets the init go: it
// still holds CAP_NET_ADMIN over the host's namespace, which the init may have
// given up by then. As runc 1.2 does, the interface is set down, moved and
// renamed in one RTM_NEWLINK, its permanent global addresses are added again
// on the other side (the kernel drops them on the move), and it is set up.
// Nothing moves the interface back on delete: when the namespace dies the
// kernel returns physical devices to the initial namespace and destroys
// virtual ones (dummy, veth).
#pragma once

#include <sys/types.h>

#include <string_view>

#include "libcontainer/namespaces.h"
#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// The kernel's rule for an interface name: 1..15 bytes (IFNAMSIZ with its NUL),
// no '/', ':' or whitespace, not "." or "..".
bool valid_net_device_name(std::string_view name);

// Before clone: every name valid, every host interface present in the
// runtime's network namespace, no two ending with the same name, and a network
// namespace the parent can reach right after clone (a new one made by clone,
// or one joined by path that is not the runtime's own). Errors name the
// entry: `linux.netDevices["eth9"]: no network interface "eth9" on the host`.
Result<void> validate_net_devices(const Linux &linux, const NamespacePlan &ns);

// After clone, before the init goes on: moves every linux.netDevices entry
// into the init's network namespace (the joined one, or /proc/<pid>/ns/net).
// On failure the devices already moved are moved back under their host names
// (without the addresses the move dropped).
Result<void> move_net_devices(const Linux &linux, const NamespacePlan &ns, pid_t init_pid);

}  // namespace berth
