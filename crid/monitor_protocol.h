// The contract between crid and crid-monitor, the small per-container process
// that holds a container's stdio, writes its CRI log, and records its exit.
// crid starts one monitor per container (and one per pod sandbox, for the
// infra process) with posix_spawn; the monitor detaches (setsid, re-parented
// away from crid) so that crid can be killed and restarted while containers
// run and log.
//
// Command line (crid -> crid-monitor):
//   crid-monitor --id ID --bundle DIR --runtime PATH --runtime-root DIR
//                --exit-file FILE --socket-dir DIR [--log-path FILE]
//                [--stdin] [--tty] [--runtime-arg ARG]... [--sync-fd N]
//                [--create-lock-fd N]
// The monitor runs `RUNTIME --root DIR create --bundle DIR --pid-file F ID`
// with the container's stdio connected to itself, and writes one JSON line to
// --sync-fd (then closes it): {"pid": N} when the container was created, or
// {"error": "text"} (the runtime's own error message) when it was not. crid
// then runs `RUNTIME start ID` itself. --create-lock-fd is an flock crid took
// on <bundle>/create.lock before it started the monitor: the monitor keeps it
// until the runtime's create is over, so that a crid restarted meanwhile waits
// for that before it deletes the half-made container (crid/create_lock.h).
//
// When the container's init exits the monitor drains its output, writes the
// exit file atomically (temp file, fsync, rename), and exits. The file holds
// one JSON object: see ExitRecord.
//
// In --socket-dir the monitor listens on "ctl" (SOCK_SEQPACKET): a client sends
// one command per message and gets one reply message ("ok" or "error: text"):
//   "reopen-log"   close and reopen the log file (the kubelet rotated it)
//   "ping"         liveness check
//   "resize R C"   set the terminal's window size (--tty only)
//   "close-stdin"  close the container's stdin (a terminal gets ^D instead), for
//                  ContainerConfig.stdin_once once an attached client ended its input
// and on "attach" (SOCK_SEQPACKET, as conmon's, for issue 8's attach): each
// message to a client is one byte naming the stream (1 stdout, 2 stderr; a
// terminal's output is stdout) and the output as read; each message from a
// client is input for the container's stdin (--stdin) or terminal (--tty).
// A client that does not keep up loses output; the container never waits.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "libcontainer/result.h"

namespace berth::crid {

struct ExitRecord {
  int exit_code = 0;         // WEXITSTATUS, or 128 + signal number when killed by a signal
  int signal = 0;            // the terminating signal, 0 when it exited
  int64_t exited_at_ns = 0;  // wall clock, nanoseconds since the epoch
  bool oom_killed = false;   // the container's memory cgroup recorded an OOM kill
  std::string message;       // empty, or why the monitor could not watch to the end
};

std::string exit_record_to_json(const ExitRecord &record);
Result<ExitRecord> exit_record_from_json(std::string_view text);

}  // namespace berth::crid
