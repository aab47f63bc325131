// Linux security modules: process.apparmorProfile, process.selinuxLabel and
// linux.mountLabel. A label is applied only where its LSM is enabled; asking
// for one on a host without it is an error naming the field, never a silent
// run without the confinement the config asked for.
#pragma once

#include <string>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// As runc decides: securityfs shows the module and the module says it is on;
// for SELinux, selinuxfs is mounted and a policy is loaded.
bool apparmor_enabled();
bool selinux_enabled();

// Before clone: every label asked for has its LSM enabled.
Result<void> check_lsm_labels(const Spec &spec);

// In the init, just before execve: the labels the exec transitions into.
Result<void> apply_exec_labels(const Process &proc);

}  // namespace berth
