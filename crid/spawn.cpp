#include "crid/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "libcontainer/fd.h"

extern char **environ;

namespace berth::crid {

namespace {

struct Pipe {
  Fd read, write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sys_error(errno, "create a pipe");
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

std::vector<char *> c_strings(const std::vector<std::string> &v) {
  std::vector<char *> out;
  out.reserve(v.size() + 1);
  for (const auto &s : v) out.push_back(const_cast<char *>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

// Reads what is there without blocking; false at end of file.
bool drain(int fd, std::string &into, size_t limit) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      size_t keep = into.size() < limit ? std::min(limit - into.size(), size_t(n)) : 0;
      into.append(buf, keep);
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    return errno == EAGAIN;  // any other error ends the stream too
  }
}

// Hands the complete lines in buffer to the callback and keeps the rest;
// at the end of the stream (last) the rest too.
void deliver_lines(std::string &buffer, const std::function<void(std::string_view)> &line, bool last) {
  if (!line) return;
  size_t start = 0;
  for (size_t nl; (nl = buffer.find('\n', start)) != std::string::npos; start = nl + 1)
    line(std::string_view(buffer).substr(start, nl - start));
  buffer.erase(0, start);
  if (last && !buffer.empty()) {
    line(buffer);
    buffer.clear();
  }
}

}  // namespace

Result<SpawnResult> run_program(const SpawnRequest &request) {
  if (request.argv.empty()) return make_error("run a program: no program given");
  auto in = TRY(make_pipe());
  auto out = TRY(make_pipe());
  auto err = TRY(make_pipe());

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in.read.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out.write.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err.write.get(), 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // crid blocks or ignores some signals; the child starts with the defaults.
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  auto argv = c_strings(request.argv);
  auto envv = c_strings(request.env);
  pid_t pid;
  int rc = ::posix_spawn(&pid, argv[0], &actions, &attr, argv.data(),
                         request.env.empty() ? environ : envv.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return sys_error(rc, "run {}", request.argv[0]);
  in.read.reset();
  out.write.reset();
  err.write.reset();

  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  for (int fd : {in.write.get(), out.read.get(), err.read.get()})
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);

  SpawnResult result;
  size_t written = 0;
  if (request.stdin_data.empty()) in.write.reset();
  auto deadline = request.timeout ? std::chrono::steady_clock::now() + *request.timeout
                                  : std::chrono::steady_clock::time_point::max();
  bool out_open = true, err_open = true, exited = false;
  while (out_open || err_open || in.write.valid()) {
    struct pollfd p[4];
    int n = 0, i_in = -1, i_out = -1, i_err = -1, i_pid = -1;
    if (in.write.valid()) { i_in = n; p[n++] = {in.write.get(), POLLOUT, 0}; }
    if (out_open) { i_out = n; p[n++] = {out.read.get(), POLLIN, 0}; }
    if (err_open) { i_err = n; p[n++] = {err.read.get(), POLLIN, 0}; }
    if (pidfd.valid() && !exited) { i_pid = n; p[n++] = {pidfd.get(), POLLIN, 0}; }
    int wait_ms = -1;
    if (request.timeout) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()).count();
      wait_ms = left > 0 ? static_cast<int>(left) : 0;
    }
    int ready = ::poll(p, n, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready == 0) {  // the deadline
      ::kill(pid, SIGKILL);
      result.timed_out = true;
      break;
    }
    if (i_in >= 0 && p[i_in].revents) {
      ssize_t w = ::write(in.write.get(), request.stdin_data.data() + written,
                          request.stdin_data.size() - written);
      if (w > 0) written += size_t(w);
      if (w < 0 && errno != EAGAIN && errno != EINTR) in.write.reset();
      if (written == request.stdin_data.size()) in.write.reset();
    }
    if (i_out >= 0 && p[i_out].revents) {
      out_open = drain(out.read.get(), result.out, request.output_limit);
      deliver_lines(result.out, request.on_stdout_line, !out_open);
    }
    if (i_err >= 0 && p[i_err].revents) err_open = drain(err.read.get(), result.err, request.output_limit);
    if (i_pid >= 0 && p[i_pid].revents) {
      // The program is gone: take what its pipes still hold, but do not wait
      // for descendants that inherited them to close them.
      exited = true;
      if (out_open) drain(out.read.get(), result.out, request.output_limit);
      if (err_open) drain(err.read.get(), result.err, request.output_limit);
      deliver_lines(result.out, request.on_stdout_line, true);
      break;
    }
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) {
    result.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
    result.exit_code = 128 + result.signal;
  }
  return result;
}

std::string runtime_error_text(const SpawnResult &result) {
  std::string_view text = result.err.empty() ? result.out : result.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.remove_suffix(1);
  auto nl = text.rfind('\n');
  std::string_view line = nl == std::string_view::npos ? text : text.substr(nl + 1);
  // runc's logrus text: level=error msg="..."
  if (auto m = line.find("msg=\""); m != std::string_view::npos) {
    line.remove_prefix(m + 5);
    if (!line.empty() && line.back() == '"') line.remove_suffix(1);
  }
  if (line.empty()) return fmt::format("exit status {}", result.exit_code);
  // logrus escapes the quotes inside msg="...".
  std::string text_out;
  for (size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) ++i;
    text_out += line[i];
  }
  return text_out;
}

}  // namespace berth::crid
