// criu driven through its command line: finding it, checking that it works on
// this kernel, and running one dump or restore. berth checks all of that
// before it touches a container, so a missing or broken criu never leaves a
// checkpoint or a container half made.
#pragma once

#include <string>
#include <vector>

#include "libcontainer/result.h"

namespace berth {

// The criu binary: criu itself when it holds a '/', else that name found in
// PATH; an error naming the Debian package otherwise.
Result<std::string> find_criu(std::string_view criu = "criu");

// Runs `criu check`; on failure the error carries criu's first error line.
Result<void> check_criu(const std::string &criu);

// find_criu + check_criu: what `checkpoint`, `restore` and `features` ask.
Result<std::string> usable_criu(std::string_view criu = "criu");

// The first line of criu's output that reports an error ("Error (...)"),
// else its last non-empty line; "" for empty output.
std::string criu_first_error(std::string_view output);

// Runs criu with args (args[0] is the criu path), output appended to log_file
// when given; fails naming `what` and criu's first error line from the log.
Result<void> run_criu(const std::vector<std::string> &args, const std::string &log_file, std::string_view what);

}  // namespace berth
