// crid's side of the monitor contract (crid/monitor_protocol.h): start a
// monitor for a container, talk to a running one, read what it left behind.
#pragma once

#include <string>
#include <vector>

#include "crid/monitor_protocol.h"
#include "libcontainer/result.h"

namespace berth::crid {

struct MonitorOptions {
  std::string monitor_path;   // the crid-monitor binary
  std::string id;             // container (or sandbox) id, as the runtime knows it
  std::string bundle;         // holds config.json
  std::string runtime_path;   // berth, runc or crun
  std::string runtime_root;   // --root for the runtime
  std::vector<std::string> runtime_args;  // extra global runtime flags (e.g. --systemd-cgroup)
  std::string log_path;       // CRI log file; empty: output discarded
  std::string exit_file;
  std::string socket_dir;     // ctl (and attach) sockets; created by the monitor
  bool stdin_open = false;
  bool tty = false;
};

// Starts a detached monitor with posix_spawn and waits until it reports the
// container created (returns the container's init pid) or failed (the error
// carries the runtime's message). The monitor is never crid's child for
// longer than this call: it re-parents itself away.
Result<int> start_monitor(const MonitorOptions &options);

// Sends one command on <socket_dir>/ctl ("reopen-log", "ping") and returns the reply.
Result<void> monitor_command(const std::string &socket_dir, const std::string &command);

// The exit file, when the monitor wrote it; ENOENT while the container runs.
Result<ExitRecord> read_exit_file(const std::string &path);

}  // namespace berth::crid
