#include "netns/plugin_exec.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "libcontainer/fd.h"

namespace berth::netns {

namespace {

constexpr size_t kOutputLimit = 4 << 20;  // a CNI result is a few KiB

Result<std::pair<Fd, Fd>> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sys_error(errno, "create a pipe");
  return std::pair{Fd(fds[0]), Fd(fds[1])};
}

// Reads what is there without blocking; false at end of file.
bool drain(int fd, std::string &into) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      if (into.size() < kOutputLimit) into.append(buf, std::min(size_t(n), kOutputLimit - into.size()));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
}

}  // namespace

Result<PluginRun> run_plugin(const std::string &path, const std::vector<std::string> &env,
                             const std::string &stdin_data, std::chrono::milliseconds timeout) {
  auto [in_r, in_w] = TRY(make_pipe());
  auto [out_r, out_w] = TRY(make_pipe());
  auto [err_r, err_w] = TRY(make_pipe());

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_w.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // The daemon may block or ignore signals; the plugin starts with the defaults.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<char *> envp;
  for (const auto &e : env) envp.push_back(const_cast<char *>(e.c_str()));
  envp.push_back(nullptr);
  char *argv[] = {const_cast<char *>(path.c_str()), nullptr};
  pid_t pid;
  int rc = ::posix_spawn(&pid, path.c_str(), &actions, &attr, argv, envp.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return sys_error(rc, "run {}", path);
  in_r.reset();
  out_w.reset();
  err_w.reset();
  for (int fd : {in_w.get(), out_r.get(), err_r.get()}) ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));

  PluginRun run;
  size_t written = 0;
  if (stdin_data.empty()) in_w.reset();
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool out_open = true, err_open = true;
  // The result is complete when the plugin has exited: a daemon it left
  // behind (dhcp's) may hold the pipes open, so their end is not waited for.
  while (out_open || err_open) {
    pollfd p[4];
    int n = 0, i_in = -1, i_out = -1, i_err = -1, i_pid = -1;
    if (in_w) { i_in = n; p[n++] = {in_w.get(), POLLOUT, 0}; }
    if (out_open) { i_out = n; p[n++] = {out_r.get(), POLLIN, 0}; }
    if (err_open) { i_err = n; p[n++] = {err_r.get(), POLLIN, 0}; }
    if (pidfd) { i_pid = n; p[n++] = {pidfd.get(), POLLIN, 0}; }
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    int ready = ::poll(p, n, left.count() > 0 ? static_cast<int>(left.count()) : 0);
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      ::kill(pid, SIGKILL);
      run.timed_out = true;
      break;
    }
    if (i_in >= 0 && p[i_in].revents) {
      ssize_t w = ::write(in_w.get(), stdin_data.data() + written, stdin_data.size() - written);
      if (w > 0) written += size_t(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_data.size()) in_w.reset();
    }
    if (i_out >= 0 && p[i_out].revents) out_open = drain(out_r.get(), run.out);
    if (i_err >= 0 && p[i_err].revents) err_open = drain(err_r.get(), run.err);
    if (i_pid >= 0 && p[i_pid].revents) {
      if (out_open) drain(out_r.get(), run.out);
      if (err_open) drain(err_r.get(), run.err);
      break;
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) run.exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) run.exit_code = 128 + WTERMSIG(status);
  return run;
}

}  // namespace berth::netns
