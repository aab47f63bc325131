// The monitor's life after create: one epoll loop over the container's output,
// the ctl socket and SIGCHLD (through a signalfd), until the container's init
// has exited and its output is drained.
#pragma once

#include "crid/monitor/cri_log_writer.h"
#include "crid/monitor/runtime_create.h"
#include "crid/monitor_protocol.h"
#include "libcontainer/fd.h"

namespace berth::crid::monitor {

struct LoopParts {
  CreatedContainer container;
  Fd signal_fd;    // SIGCHLD, blocked before the runtime was started
  Fd ctl_listen;   // the "ctl" socket
  CriLogWriter *log = nullptr;
};

// Returns how the init ended. exited_at_ns is when the monitor reaped it;
// oom_killed is left to the caller.
ExitRecord run_monitor_loop(LoopParts parts);

}  // namespace berth::crid::monitor
