// The monitor's life after create: one epoll loop over the container's output,
// the ctl socket and SIGCHLD (through a signalfd), until the container's init
// has exited and its output is drained.
//
// Attach (SOCK_SEQPACKET, like conmon's): every message to a client is one
// byte naming the stream (1 stdout, 2 stderr; a terminal's output is stdout)
// followed by output as it was read; every message from a client is input for
// the container (its stdin pipe with --stdin, or its terminal). A client that
// does not keep up loses output rather than stall the container.
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
  Fd attach_listen;  // the "attach" socket
  CriLogWriter *log = nullptr;
};

// Returns how the init ended. exited_at_ns is when the monitor reaped it;
// oom_killed is left to the caller.
ExitRecord run_monitor_loop(LoopParts parts);

}  // namespace berth::crid::monitor
