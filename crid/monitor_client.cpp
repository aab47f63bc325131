#include "crid/monitor_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <nlohmann/json.hpp>

#include "crid/crash_point.h"
#include "crid/create_lock.h"
#include "crid/monitor/unix_socket.h"
#include "libcontainer/fd.h"
#include "libcontainer/file_util.h"

extern char **environ;

namespace berth::crid {

namespace {

std::vector<std::string> monitor_argv(const MonitorOptions &o) {
  std::vector<std::string> argv{o.monitor_path,   "--id",           o.id,         "--bundle",
                                o.bundle,         "--runtime",      o.runtime_path, "--runtime-root",
                                o.runtime_root,   "--exit-file",    o.exit_file,  "--socket-dir",
                                o.socket_dir,     "--sync-fd",      "3",          "--create-lock-fd",
                                "4"};
  if (!o.log_path.empty()) {
    argv.push_back("--log-path");
    argv.push_back(o.log_path);
  }
  for (const auto &a : o.runtime_args) {
    argv.push_back("--runtime-arg");
    argv.push_back(a);
  }
  if (o.stdin_open) argv.push_back("--stdin");
  if (o.tty) argv.push_back("--tty");
  return argv;
}

// The monitor's one line: everything up to the first newline or end of file.
Result<std::string> read_sync_line(int fd) {
  std::string line;
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno, "read from the monitor");
    }
    if (n == 0) break;
    line.append(buf, n);
    if (line.find('\n') != std::string::npos) break;
  }
  if (auto nl = line.find('\n'); nl != std::string::npos) line.resize(nl);
  return line;
}

}  // namespace

Result<int> start_monitor(const MonitorOptions &options) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sys_error(errno, "create the monitor's sync pipe");
  Fd sync_read(fds[0]), sync_write(fds[1]);
  auto lock = TRY(take_create_lock(options.bundle));
  // Out of the way of the dup2s below: neither may already sit on 3 or 4.
  Fd sync_high(::fcntl(sync_write.get(), F_DUPFD_CLOEXEC, 10));
  Fd lock_high(::fcntl(lock.get(), F_DUPFD_CLOEXEC, 10));
  if (!sync_high || !lock_high) return sys_error(errno, "duplicate the monitor's fds");
  sync_write.reset();
  lock.reset();

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0);
  // dup2 clears close-on-exec on 3 and 4.
  posix_spawn_file_actions_adddup2(&actions, sync_high.get(), 3);
  posix_spawn_file_actions_adddup2(&actions, lock_high.get(), 4);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  auto args = monitor_argv(options);
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  // Not the errno's code: a missing monitor binary is crid's own setup
  // problem (INTERNAL), not a NotFound about what the client asked for.
  if (rc != 0) return make_error("start monitor {}: {}", options.monitor_path, std::strerror(rc));
  // From here the monitor alone holds the lock, until its create is over.
  sync_high.reset();
  lock_high.reset();
  crash_point("monitor-creating");

  auto line = read_sync_line(sync_read.get());
  // The process we started only forks the monitor proper and exits.
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  if (!line) return std::unexpected(line.error());
  if (line->empty()) return make_error("monitor for {} exited without reporting", options.id);
  auto j = nlohmann::json::parse(*line, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return make_error("monitor for {}: unreadable report {:?}", options.id, *line);
  if (auto it = j.find("pid"); it != j.end() && it->is_number_integer()) return it->get<int>();
  if (auto it = j.find("error"); it != j.end() && it->is_string()) return make_error("{}", it->get<std::string>());
  return make_error("monitor for {}: unreadable report {:?}", options.id, *line);
}

Result<void> monitor_command(const std::string &socket_dir, const std::string &command) {
  std::string path = socket_dir + "/ctl";
  auto sock = TRY_CTX(connect_unix(path, SOCK_SEQPACKET), "monitor");
  // A monitor that accepted but hangs must not hang crid.
  struct timeval tv = {10, 0};
  ::setsockopt(sock.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(sock.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::send(sock.get(), command.data(), command.size(), MSG_NOSIGNAL) < 0)
    return sys_error(errno, "monitor {}: send {:?}", path, command);
  char buf[4096];
  ssize_t n;
  do {
    n = ::recv(sock.get(), buf, sizeof buf, 0);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error(errno, "monitor {}: reply to {:?}", path, command);
  std::string_view reply(buf, n);
  if (reply == "ok") return {};
  if (reply.starts_with("error: ")) reply.remove_prefix(7);
  else if (n == 0) reply = "the monitor closed the connection";
  return make_error("monitor {}: {}: {}", path, command, reply);
}

Result<ExitRecord> read_exit_file(const std::string &path) {
  auto text = TRY(read_file(path));
  return TRY_CTX(exit_record_from_json(text), path);
}

}  // namespace berth::crid
