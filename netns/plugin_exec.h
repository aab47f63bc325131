// Running a CNI plugin binary: posix_spawn (crid never forks), the network
// config on stdin, the result read from stdout, a deadline. netns/ keeps its
// own small spawn so the library does not depend on crid/.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "libcontainer/result.h"

namespace berth::netns {

struct PluginRun {
  int exit_code = -1;      // WEXITSTATUS, or 128 + signal
  bool timed_out = false;  // killed with SIGKILL at the deadline
  std::string out;
  std::string err;
};

// Runs path with the given environment (the full one, "K=V" strings) and
// stdin, to completion or the timeout. Fails only when it cannot be started.
Result<PluginRun> run_plugin(const std::string &path, const std::vector<std::string> &env,
                             const std::string &stdin_data, std::chrono::milliseconds timeout);

}  // namespace berth::netns
