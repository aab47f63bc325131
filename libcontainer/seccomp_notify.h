// linux.seccomp.listenerPath: hands the NOTIFY listener fd to the agent
// socket, with the "container process state" of the runtime-spec
// (config-linux.md "The Container Process State"): one message whose data is
//   {"ociVersion", "fds": ["seccompFd"], "pid", "metadata", "state": {...}}
// and whose SCM_RIGHTS carries the fds in the order "fds" names them.
#pragma once

#include <sys/types.h>

#include <string>

#include "libcontainer/result.h"

namespace berth {

std::string seccomp_process_state(const std::string &oci_version, pid_t pid, const std::string &metadata,
                                   const std::string &state_json);

Result<void> send_seccomp_listener(const std::string &listener_path, int listener_fd, const std::string &message);

}  // namespace berth
