// Device nodes and the standard /dev links inside the rootfs.
#pragma once

#include <span>

#include "libcontainer/result.h"
#include "libcontainer/spec.h"

namespace berth {

// The nodes every container gets: null, zero, full, random, urandom, tty.
std::span<const Device> default_devices();

// Creates the default devices (unless linux.devices names the same path) and
// linux.devices in the rootfs at root_fd: mknod with the given mode and owner,
// or, in a user namespace or where mknod is refused, a bind mount of the
// host's node onto an empty file. Host nodes are never chowned or chmodded.
Result<void> create_devices(const Spec &spec, int root_fd, bool in_user_ns);

// /dev/fd, /dev/stdin, /dev/stdout, /dev/stderr, /dev/core (when the host has
// /proc/kcore), and with_ptmx: /dev/ptmx -> pts/ptmx.
Result<void> create_dev_links(int root_fd, bool with_ptmx);

}  // namespace berth
