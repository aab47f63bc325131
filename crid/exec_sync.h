// ExecSync: run a command in a running container and collect its output and
// exit code, through `RUNTIME exec`, with a deadline that kills the command
// (not just the runtime) when it passes.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "crid/runtime_target.h"
#include "libcontainer/result.h"

namespace berth::crid {

using ExecTarget = RuntimeTarget;

struct ExecSyncOptions {
  std::chrono::seconds timeout{0};  // 0: no deadline (CRI's ExecSyncRequest.timeout)
  // Bytes kept per stream; the rest is read and dropped. 16 MiB is the
  // kubelet's gRPC message limit, which containerd's ExecSync caps to as well.
  size_t output_limit = 16 << 20;
  std::string scratch_dir = "/tmp";  // where the runtime's pid file is made
};

struct ExecSyncResult {
  std::string out;
  std::string err;
  int exit_code = 0;  // the command's; 128 + signal when a signal ended it
};

// Runs `RUNTIME --root ROOT exec --pid-file F ID CMD...`. Errors: the runtime
// could not start the command (its own message: no such container, not
// running, executable not found), or the deadline passed (errno ETIMEDOUT,
// which crid answers as DEADLINE_EXCEEDED) after the command was killed.
// A command that ran and failed is a result with its exit code, not an error.
Result<ExecSyncResult> exec_sync(const ExecTarget &target, const std::vector<std::string> &cmd,
                                 const ExecSyncOptions &options = {});

}  // namespace berth::crid
