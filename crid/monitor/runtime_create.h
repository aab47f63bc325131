// Creating the container: `RUNTIME [args] --root ROOT create --bundle B
// --pid-file F [--console-socket S] ID`, run as the monitor's child with the
// container's stdio, so that the container's init, once the runtime exits,
// is re-parented to the monitor (a child subreaper) and its output flows to it.
#pragma once

#include <string>

#include "crid/monitor/options.h"
#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::crid::monitor {

struct CreatedContainer {
  int pid = -1;
  Fd stdout_read;   // pipes mode: the container's stdout and stderr
  Fd stderr_read;
  Fd stdin_write;   // --stdin without --tty: the container's stdin
  Fd pty_master;    // --tty: the terminal, all streams in one
  // What the runtime itself printed while creating (pipes mode): it shares
  // the container's stdio, so its warnings belong in the container's log.
  std::string early_stdout;
  std::string early_stderr;
};

// The error carries the runtime's own message when it failed. On any error
// nothing is left: no container in the runtime's state, no pid file, no socket.
Result<CreatedContainer> create_container(const Options &options);

}  // namespace berth::crid::monitor
