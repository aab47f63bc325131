// The container's init: the cloned child of `berth create`. It builds the
// container from inside (namespaces, rootfs, terminal, user, capabilities),
// reports Ready, waits reading the exec FIFO until `start` writes to it,
// then execs the process.
#pragma once

#include <string>
#include <vector>

#include "libcontainer/capabilities.h"
#include "libcontainer/namespaces.h"
#include "libcontainer/rootfs.h"
#include "libcontainer/seccomp_cache.h"
#include "libcontainer/spec.h"

namespace berth {

struct InitContext {
  const Spec *spec = nullptr;
  const NamespacePlan *ns = nullptr;
  RootfsOptions rootfs;
  std::string id;
  int sync_fd = -1;         // the child's end of the socketpair
  int fifo_fd = -1;         // <state>/exec.fifo opened read-write: the start gate, or -1
  int console_fd = -1;      // connected --console-socket, or -1
  int lock_fd = -1;         // the state dir lock, shared with the parent by clone: closed first
  int preserve_fds = 0;     // fds 3 .. 3+N-1 pass into the container
  bool new_keyring = true;  // --no-new-keyring turns it off
  ResolvedCapabilities caps;  // resolved by the parent, which printed the warnings
  const SeccompProgram *seccomp_program = nullptr;  // linux.seccomp, compiled (or cached) by the parent
};

// Never returns: execs the process, or reports an Error over sync_fd and exits.
[[noreturn]] void run_init(const InitContext &ctx);

}  // namespace berth
