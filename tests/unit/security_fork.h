// Runs a test body in a forked child, so what it changes (rlimits, capabilities,
// a seccomp filter) dies with the child instead of staying on the test runner.
#pragma once

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <utility>

namespace berth::testing {

struct ChildOutcome {
  int exit_code = -1;  // -1: the child did not exit normally
  int signal = 0;
  std::string message;  // what the body put in its message
};

// body(std::string &message) -> int exit code. The child _exits without running
// gtest's or any static destructors.
template <typename Body>
ChildOutcome run_in_child(Body &&body) {
  ChildOutcome out;
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) {
    out.message = "pipe2 failed";
    return out;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    ::close(p[0]);
    ::close(p[1]);
    out.message = "fork failed";
    return out;
  }
  if (pid == 0) {
    ::close(p[0]);
    std::string message;
    int code = std::forward<Body>(body)(message);
    size_t off = 0;
    while (off < message.size()) {
      ssize_t n = ::write(p[1], message.data() + off, message.size() - off);
      if (n <= 0) break;
      off += static_cast<size_t>(n);
    }
    ::_exit(code);
  }
  ::close(p[1]);
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(p[0], buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.message.append(buf, static_cast<size_t>(n));
  }
  ::close(p[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status)) out.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) out.signal = WTERMSIG(status);
  return out;
}

}  // namespace berth::testing
