// Running helper programs from crid, which never forks (it is multithreaded):
// posix_spawn with pipes for input and output, a deadline, and the child
// killed and reaped when the deadline passes.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "libcontainer/result.h"

namespace berth::crid {

struct SpawnRequest {
  std::vector<std::string> argv;          // argv[0] is the program path
  std::vector<std::string> env;           // empty: crid's own environment
  std::string stdin_data;                 // written to the child's stdin, then closed
  std::optional<std::chrono::milliseconds> timeout;  // none: wait as long as it takes
  size_t output_limit = 16 << 20;         // bytes kept per stream; the rest is read and dropped
  // When set, stdout goes here a line at a time (without its newline) as the
  // program writes it, instead of into SpawnResult::out.
  std::function<void(std::string_view)> on_stdout_line;
};

struct SpawnResult {
  int exit_code = -1;     // WEXITSTATUS, or 128 + signal
  int signal = 0;         // the signal that ended it, 0 when it exited
  bool timed_out = false; // killed with SIGKILL at the deadline
  std::string out;
  std::string err;
};

// Runs the program to completion. Fails only when it cannot be started;
// a non-zero exit is a SpawnResult, not an error.
Result<SpawnResult> run_program(const SpawnRequest &request);

// The runtime's own error text from a failed run: the last non-empty line of
// stderr (runc and berth print "level=error msg=..." or plain text there).
std::string runtime_error_text(const SpawnResult &result);

}  // namespace berth::crid
