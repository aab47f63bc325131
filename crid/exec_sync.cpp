#include "crid/exec_sync.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <fstream>

#include "crid/spawn.h"
#include "libcontainer/fd.h"

namespace berth::crid {

namespace {

// The private directory the runtime writes the exec'd process's pid into;
// removed with whatever it holds when the call ends.
class ScratchDir {
 public:
  static Result<ScratchDir> make(const std::string &parent) {
    std::string templ = parent + "/crid-exec-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) return sys_error(errno, "make a directory in {} for the exec's pid file", parent);
    return ScratchDir(std::move(templ));
  }
  ScratchDir(ScratchDir &&other) noexcept : path_(std::exchange(other.path_, {})) {}
  ScratchDir(const ScratchDir &) = delete;
  ScratchDir &operator=(const ScratchDir &) = delete;
  ScratchDir &operator=(ScratchDir &&) = delete;
  ~ScratchDir() {
    if (path_.empty()) return;
    ::unlink(pid_file().c_str());
    ::rmdir(path_.c_str());
  }
  std::string pid_file() const { return path_ + "/pid"; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

// 0 when the runtime did not write the file: the command never started.
pid_t read_pid_file(const std::string &path) {
  std::ifstream in(path);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return 0;
  return static_cast<pid_t>(pid);
}

// SIGKILL through a pidfd, then a bounded wait for the process to be gone.
// The exec'd process is not crid's child: killing the runtime leaves it
// running (re-parented), so it has to be killed by pid.
void kill_and_wait(pid_t pid) {
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) return;  // already gone
  if (::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0) != 0) return;
  struct pollfd p = {pidfd.get(), POLLIN, 0};
  while (::poll(&p, 1, 2000) < 0 && errno == EINTR) {
  }
}

std::string quoted_command(const std::vector<std::string> &cmd) {
  std::string out;
  for (const auto &word : cmd) {
    if (!out.empty()) out += ' ';
    out += word.find_first_of(" \t\"'") == std::string::npos && !word.empty() ? word : fmt::format("\"{}\"", word);
  }
  return out;
}

}  // namespace

Result<ExecSyncResult> exec_sync(const ExecTarget &target, const std::vector<std::string> &cmd,
                                 const ExecSyncOptions &options) {
  auto what = fmt::format("exec in container {}", target.container_id);
  if (cmd.empty()) return std::unexpected(Error{EINVAL, what + ": no command given"});
  auto scratch = TRY_CTX(ScratchDir::make(options.scratch_dir), what);

  SpawnRequest request;
  request.argv = runtime_argv(target, {"exec", "--pid-file", scratch.pid_file(), target.container_id});
  request.argv.insert(request.argv.end(), cmd.begin(), cmd.end());
  if (options.timeout.count() > 0) request.timeout = options.timeout;
  request.output_limit = options.output_limit;
  auto ran = TRY_CTX(run_program(request), what);

  pid_t pid = read_pid_file(scratch.pid_file());
  if (ran.timed_out) {
    if (pid > 0) kill_and_wait(pid);
    return std::unexpected(Error{ETIMEDOUT, fmt::format("{}: command {} timed out after {}s", what,
                                                        quoted_command(cmd), options.timeout.count())});
  }
  // The runtime writes the pid file once the command runs; without it a
  // failure is the runtime's (no such container, not running, no such
  // executable), not the command's exit code.
  if (pid == 0 && ran.exit_code != 0)
    return std::unexpected(Error{0, fmt::format("{}: {}", what, runtime_error_text(ran))});
  return ExecSyncResult{std::move(ran.out), std::move(ran.err), ran.exit_code};
}

}  // namespace berth::crid
