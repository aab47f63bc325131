// A container that shares a pid namespace (the pod's, or the host's) is not
// PID 1 there: when its init dies the kernel does not kill the rest of its
// processes, which live on in its cgroup, reparented to the pod's infra. The
// runtime's `kill --all` reaches them through the cgroup, as containerd's
// shim does when such an init exits.
#pragma once

#include <string>

#include "crid/oci_runtime.h"

namespace berth::crid {

// True when the bundle's config.json gives the container no pid namespace of
// its own (a "pid" entry with a path, or none at all). A config that cannot
// be read counts as shared: the sweep is harmless for a container that has
// its own namespace.
bool shares_pid_namespace(const std::string &bundle_dir);

// SIGKILLs whatever is left in the container's cgroup when it shares a pid
// namespace. Failures are logged: the container's own exit is already recorded.
void kill_leftover_processes(const OciRuntime &runtime, const std::string &id, const std::string &bundle_dir);

}  // namespace berth::crid
