// crid-monitor's command line (the contract in crid/monitor_protocol.h).
#pragma once

#include <string>
#include <vector>

#include "libcontainer/result.h"

namespace berth::crid::monitor {

struct Options {
  std::string id;
  std::string bundle;
  std::string runtime;
  std::string runtime_root;
  std::vector<std::string> runtime_args;
  std::string log_path;
  std::string exit_file;
  std::string socket_dir;
  bool stdin_open = false;
  bool tty = false;
  int sync_fd = -1;
  // Holds crid's create lock (a flock on <bundle>/create.lock) until the
  // runtime's create is over, so that a restarted crid knows when it may undo it.
  int create_lock_fd = -1;
};

// Relative paths are made absolute against the current directory, because the
// monitor moves to / once it detaches.
Result<Options> parse_options(int argc, char **argv);

}  // namespace berth::crid::monitor
