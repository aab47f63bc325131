// ReopenContainerLog: the kubelet has renamed a container's log file (log
// rotation) and asks for a new one; the container's monitor holds the file.
#pragma once

#include <string>

#include "libcontainer/result.h"

namespace berth::crid {

// Asks the monitor listening in socket_dir to close and reopen its log file.
Result<void> reopen_container_log(const std::string &container_id, const std::string &monitor_socket_dir);

}  // namespace berth::crid
