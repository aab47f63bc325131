// crid-monitor: the per-container process that holds a container's stdio,
// writes its CRI log and records its exit (contract: crid/monitor_protocol.h).
// It is not crid: it may fork. It detaches at once (crid reaps the process it
// started; the monitor lives on in a session of its own) and becomes a child
// subreaper, so the container's init is its child once the runtime exits.
#include <fcntl.h>
#include <malloc.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <string_view>

#include <nlohmann/json.hpp>

#include "crid/monitor/cri_log_writer.h"
#include "crid/monitor/monitor_loop.h"
#include "crid/monitor/oom_counter.h"
#include "crid/monitor/options.h"
#include "crid/monitor/resident_trim.h"
#include "crid/monitor/runtime_create.h"
#include "crid/monitor/unix_socket.h"
#include "crid/monitor_protocol.h"
#include "libcontainer/file_util.h"

using namespace berth;
using namespace berth::crid;
using namespace berth::crid::monitor;

namespace {

// --sync-fd, found even when the rest of the command line is bad, so that the
// error still reaches crid.
int find_sync_fd(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    std::string_view a = argv[i], v;
    if (a == "--sync-fd" && i + 1 < argc) v = argv[i + 1];
    else if (a.starts_with("--sync-fd=")) v = a.substr(10);
    else continue;
    int fd = -1;
    std::from_chars(v.data(), v.data() + v.size(), fd);
    return fd;
  }
  return -1;
}

void report(int &sync_fd, const nlohmann::json &message) {
  if (sync_fd < 0) return;
  std::string line = message.dump() + "\n";
  std::string_view rest = line;
  while (!rest.empty()) {
    ssize_t n = ::write(sync_fd, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    rest.remove_prefix(n);
  }
  ::close(sync_fd);
  sync_fd = -1;
}

void report_error(int &sync_fd, const std::string &message) {
  report(sync_fd, {{"error", message}});
}

// Only the sync fd and the create lock survive; 0, 1 and 2 become /dev/null
// so the monitor holds none of its starter's pipes (crid's, or a test
// harness's). Both are close-on-exec: the runtime must not hold them.
void sanitize_fds(int sync_fd, int lock_fd) {
  int keep[2] = {std::min(sync_fd, lock_fd), std::max(sync_fd, lock_fd)};
  unsigned next = 3;
  for (int fd : keep) {
    if (fd < 3) continue;
    if (static_cast<unsigned>(fd) > next) ::close_range(next, fd - 1, 0);
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    next = fd + 1;
  }
  ::close_range(next, ~0U, 0);
  int null = ::open("/dev/null", O_RDWR);
  for (int fd = 0; fd < 3; fd++)
    if (fd != sync_fd && fd != lock_fd && null >= 0) ::dup2(null, fd);
  if (null > 2 && null != sync_fd && null != lock_fd) ::close(null);
}

Result<Fd> block_sigchld() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGCHLD);
  if (::sigprocmask(SIG_BLOCK, &set, nullptr) < 0) return sys_error(errno, "block SIGCHLD");
  Fd fd(::signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK));
  if (!fd) return sys_error(errno, "signalfd");
  return fd;
}

struct Started {
  CreatedContainer container;
  Fd signal_fd;
  Fd ctl;
  Fd attach;
};

// Everything up to the created container; on error nothing is left behind
// (the socket dir, if we made it, and the ctl socket are removed).
Result<Started> start(const Options &o, CriLogWriter &log) {
  Started s;
  s.signal_fd = TRY(block_sigchld());
  bool made_dir = ::mkdir(o.socket_dir.c_str(), 0700) == 0;
  if (!made_dir && errno != EEXIST) return sys_error(errno, "create socket dir {}", o.socket_dir);
  std::string ctl_path = o.socket_dir + "/ctl";
  std::string attach_path = o.socket_dir + "/attach";
  // A log file this monitor creates goes again when the create fails.
  struct stat st;
  bool log_existed = o.log_path.empty() || ::stat(o.log_path.c_str(), &st) == 0;
  auto cleanup = [&] {
    ::unlink(ctl_path.c_str());
    ::unlink(attach_path.c_str());
    if (made_dir) ::rmdir(o.socket_dir.c_str());
    if (!log_existed) ::unlink(o.log_path.c_str());
  };
  auto ctl = listen_unix(ctl_path, SOCK_SEQPACKET);
  if (!ctl) {
    cleanup();
    return std::unexpected(ctl.error());
  }
  s.ctl = std::move(*ctl);
  auto attach = listen_unix(attach_path, SOCK_SEQPACKET);
  if (!attach) {
    cleanup();
    return std::unexpected(attach.error());
  }
  s.attach = std::move(*attach);
  if (auto r = log.open(); !r) {
    cleanup();
    return std::unexpected(r.error());
  }
  auto created = create_container(o);
  if (!created) {
    cleanup();
    return std::unexpected(created.error());
  }
  s.container = std::move(*created);
  return s;
}

}  // namespace

int main(int argc, char **argv) {
  int sync_fd = find_sync_fd(argc, argv);
  auto options = parse_options(argc, argv);
  if (!options) {
    std::string message = "crid-monitor: " + options.error().message;
    std::fprintf(stderr, "%s\n", message.c_str());
    report_error(sync_fd, message);
    return 2;
  }
  const Options &o = *options;

  pid_t pid = ::fork();
  if (pid < 0) {
    report_error(sync_fd, fmt::format("crid-monitor: fork: {}", std::strerror(errno)));
    return 1;
  }
  if (pid > 0) _exit(0);
  ::setsid();
  sanitize_fds(sync_fd, o.create_lock_fd);
  if (::chdir("/") != 0) {
    report_error(sync_fd, fmt::format("crid-monitor: chdir /: {}", std::strerror(errno)));
    return 1;
  }
  ::signal(SIGPIPE, SIG_IGN);
  ::signal(SIGHUP, SIG_IGN);
  if (::prctl(PR_SET_CHILD_SUBREAPER, 1) < 0) {
    report_error(sync_fd, fmt::format("crid-monitor: become a child subreaper: {}", std::strerror(errno)));
    return 1;
  }

  CriLogWriter log(o.log_path);
  auto started = start(o, log);
  // The runtime's create is over, whichever way it went.
  if (o.create_lock_fd >= 0) ::close(o.create_lock_fd);
  if (!started) {
    report_error(sync_fd, started.error().message);
    return 1;
  }
  auto &container = started->container;
  OomCounter oom = OomCounter::for_process(container.pid);
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  log.write(Stream::Stdout, container.early_stdout, now);
  log.write(Stream::Stderr, container.early_stderr, now);
  container.early_stdout = std::string();
  container.early_stderr = std::string();
  report(sync_fd, {{"pid", container.pid}});
  // The creation's buffers (JSON, argv) are done with: give the pages back,
  // a node runs one monitor per container.
  ::malloc_trim(0);
  drop_startup_text();

  ExitRecord record = run_monitor_loop(
      {std::move(container), std::move(started->signal_fd), std::move(started->ctl), std::move(started->attach),
       &log});
  record.oom_killed = oom.killed_since_start();
  (void)write_file_atomic(o.exit_file, exit_record_to_json(record), 0644);
  ::unlink((o.socket_dir + "/ctl").c_str());
  ::unlink((o.socket_dir + "/attach").c_str());
  return 0;
}
