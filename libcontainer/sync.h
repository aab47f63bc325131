// The parent <-> init handshake over a SOCK_SEQPACKET socketpair. Each
// message is one packet, so a message is never read half.
//
//   parent                         init (cloned child)
//   clone3 ──────────────────────▶ blocks in recv
//   uid/gid maps, cgroup placement
//   Go ──────────────────────────▶ namespaces, rootfs, console, process setup
//                    ◀──────────── Ready (args[0] found, only the fifo remains)
//                    ◀──────────── Error{errno, message} at any step instead
//   writes state.json, exits       blocks reading exec.fifo until `start`
#pragma once

#include <cstdint>
#include <string>

#include "libcontainer/result.h"

namespace berth {

enum class SyncType : uint32_t {
  Go = 1,
  Ready = 2,
  Error = 3,
  HooksPause = 4,       // init -> parent: before pivot_root, run prestart/createRuntime (hook_points.h)
  HooksDone = 5,        // parent -> init: hooks ran; the state JSON follows as one packet
  SeccompListener = 6,  // init -> parent: the NOTIFY listener fd follows (send_fd)
};

struct SyncMessage {
  SyncType type;
  int32_t err = 0;
  std::string text;  // Error only
};

Result<void> sync_send(int fd, SyncType type, int err = 0, std::string_view text = {});
// A closed peer reads as an error with code EPIPE.
Result<SyncMessage> sync_recv(int fd);

// A connected SOCK_STREAM unix socket (close-on-exec) to path.
Result<int> connect_unix_socket(const std::string &path);

// Unix-socket fd passing (console master to --console-socket).
Result<void> send_fd(int sock, int fd, std::string_view name);
Result<int> recv_fd(int sock);

}  // namespace berth
