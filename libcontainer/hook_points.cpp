#include "libcontainer/hook_points.h"

#include <sys/socket.h>

#include "libcontainer/hooks.h"
#include "libcontainer/sync.h"

namespace berth {

Result<void> send_packet(int fd, std::string_view data) {
  while (::send(fd, data.data(), data.size(), MSG_NOSIGNAL) < 0)
    if (errno != EINTR) return sys_error(errno, "sync: send {} bytes", data.size());
  return {};
}

Result<std::string> recv_packet(int fd) {
  ssize_t n;
  // MSG_TRUNC with MSG_PEEK reports the whole packet's length.
  while ((n = ::recv(fd, nullptr, 0, MSG_PEEK | MSG_TRUNC)) < 0)
    if (errno != EINTR) return sys_error(errno, "sync: receive");
  if (n == 0) return std::unexpected(Error{EPIPE, "sync: peer closed"});
  std::string buf(static_cast<size_t>(n), '\0');
  while ((n = ::recv(fd, buf.data(), buf.size(), 0)) < 0)
    if (errno != EINTR) return sys_error(errno, "sync: receive");
  buf.resize(static_cast<size_t>(n));
  return buf;
}

Result<std::string> init_hook_pause(int sync_fd, const Hooks &hooks) {
  TRY(sync_send(sync_fd, SyncType::HooksPause));
  auto reply = TRY(sync_recv(sync_fd));
  if (reply.type == SyncType::Error) return std::unexpected(Error{reply.err, reply.text});
  if (reply.type != SyncType::HooksDone)
    return make_error("sync: expected hooks-done, got message {}", static_cast<int>(reply.type));
  std::string state = TRY(recv_packet(sync_fd));
  TRY(run_hooks(hooks, HookKind::CreateContainer, state));
  return state;
}

Result<void> parent_run_runtime_hooks(int sync_fd, const Hooks &hooks, const std::string &state_json) {
  // prestart is deprecated but still honoured, and runs first as in runc.
  TRY(run_hooks(hooks, HookKind::Prestart, state_json));
  TRY(run_hooks(hooks, HookKind::CreateRuntime, state_json));
  TRY(sync_send(sync_fd, SyncType::HooksDone));
  return send_packet(sync_fd, state_json);
}

}  // namespace berth
