// The container's terminal: a pty made inside the container (its devpts), the
// master handed to whoever listens on --console-socket, the slave made the
// init's controlling terminal and stdio, and bound over /dev/console.
#pragma once

#include <optional>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// Runs in the init after pivot_root. socket_fd is the connected console socket.
Result<void> setup_console(int socket_fd, const std::optional<ConsoleSize> &size, bool mount_dev_console);

// Parent side: connect to the unix socket path given with --console-socket.
Result<int> connect_console_socket(const std::string &path);

}  // namespace berth
