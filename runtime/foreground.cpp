#include "runtime/foreground.h"

#include <poll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <optional>

#include "libcontainer/fd.h"

namespace berth {

void block_forwarded_signals(sigset_t *old) {
  sigset_t all;
  sigfillset(&all);
  // Faults must still kill berth itself.
  for (int s : {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGTRAP, SIGSYS}) sigdelset(&all, s);
  sigprocmask(SIG_BLOCK, &all, old);
}

namespace {

// Puts our terminal in raw mode for the proxy and restores it on every exit path.
class RawTerminal {
 public:
  explicit RawTerminal(int fd) : fd_(fd) {
    if (!::isatty(fd_) || ::tcgetattr(fd_, &saved_) < 0) return;
    struct termios raw = saved_;
    ::cfmakeraw(&raw);
    active_ = ::tcsetattr(fd_, TCSANOW, &raw) == 0;
  }
  ~RawTerminal() {
    if (active_) ::tcsetattr(fd_, TCSANOW, &saved_);
  }

 private:
  int fd_;
  struct termios saved_ = {};
  bool active_ = false;
};

bool copy_once(int from, int to) {
  char buf[8192];
  ssize_t n = ::read(from, buf, sizeof buf);
  if (n <= 0) return false;
  for (ssize_t off = 0; off < n;) {
    ssize_t w = ::write(to, buf + off, n - off);
    if (w < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += w;
  }
  return true;
}

void copy_window_size(int from, int to) {
  struct winsize ws;
  if (::ioctl(from, TIOCGWINSZ, &ws) == 0) ::ioctl(to, TIOCSWINSZ, &ws);
}

int exit_code(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return 255;
}

}  // namespace

Result<int> wait_foreground(pid_t init, int pty_master) {
  sigset_t mask;
  sigprocmask(SIG_BLOCK, nullptr, &mask);
  Fd sfd(::signalfd(-1, &mask, SFD_CLOEXEC));
  if (!sfd) return sys_error(errno, "signalfd");

  std::optional<RawTerminal> raw;
  if (pty_master >= 0) {
    raw.emplace(STDIN_FILENO);
    copy_window_size(STDIN_FILENO, pty_master);
  }
  bool stdin_open = pty_master >= 0, master_open = pty_master >= 0;
  for (;;) {
    struct pollfd fds[3] = {{sfd.get(), POLLIN, 0},
                            {stdin_open ? STDIN_FILENO : -1, POLLIN, 0},
                            {master_open ? pty_master : -1, POLLIN, 0}};
    if (::poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno, "poll");
    }
    if (fds[2].revents & (POLLIN | POLLHUP | POLLERR)) master_open = copy_once(pty_master, STDOUT_FILENO);
    if (fds[1].revents & (POLLIN | POLLHUP | POLLERR)) stdin_open = copy_once(STDIN_FILENO, pty_master);
    if (!(fds[0].revents & POLLIN)) continue;
    struct signalfd_siginfo si;
    if (::read(sfd.get(), &si, sizeof si) != sizeof si) continue;
    if (si.ssi_signo == SIGWINCH && pty_master >= 0) {
      copy_window_size(STDIN_FILENO, pty_master);
    } else if (si.ssi_signo != SIGCHLD) {
      ::kill(init, static_cast<int>(si.ssi_signo));
      continue;
    }
    int status;
    pid_t r = ::waitpid(init, &status, WNOHANG);
    if (r == init) {
      // Drain what the container wrote last before returning.
      while (master_open) {
        struct pollfd p = {pty_master, POLLIN, 0};
        if (::poll(&p, 1, 0) <= 0) break;
        master_open = copy_once(pty_master, STDOUT_FILENO);
      }
      return exit_code(status);
    }
  }
}

}  // namespace berth
