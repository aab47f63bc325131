#include "crid/monitor/monitor_loop.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <ctime>
#include <memory>
#include <vector>

#include "crid/monitor/control_socket.h"

namespace berth::crid::monitor {

namespace {

int64_t now_ns() {
  struct timespec ts;
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

ExitRecord record_of(int status) {
  ExitRecord r;
  r.exited_at_ns = now_ns();
  if (WIFEXITED(status)) {
    r.exit_code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    r.signal = WTERMSIG(status);
    r.exit_code = 128 + r.signal;
  }
  return r;
}

class Loop {
 public:
  explicit Loop(LoopParts parts) : p_(std::move(parts)) {}

  ExitRecord run() {
    epoll_ = Fd(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_) return fallback(fmt::format("epoll_create1: {}", std::strerror(errno)));
    auto &c = p_.container;
    for (int fd : {c.stdout_read.get(), c.stderr_read.get(), c.pty_master.get()}) {
      if (fd < 0) continue;
      set_nonblocking(fd);
      add(fd);
    }
    if (c.stdin_write) set_nonblocking(c.stdin_write.get());
    add(p_.signal_fd.get());
    add(p_.ctl_listen.get());
    if (p_.attach_listen) add(p_.attach_listen.get());
    // The init may be gone already (SIGCHLD is pending in the signalfd then).
    reap();
    // A runtime that did not leave the init to us (it is not our child): its
    // end is still seen through a pidfd, but its status is not ours to know.
    siginfo_t info{};
    if (!exited_ && ::waitid(P_PID, c.pid, &info, WEXITED | WNOHANG | WNOWAIT) < 0 && errno == ECHILD) {
      stranger_ = Fd(static_cast<int>(::syscall(SYS_pidfd_open, c.pid, 0)));
      if (!stranger_) return fallback(fmt::format("the container's init {} is gone and not the monitor's child", c.pid));
      add(stranger_.get());
    }
    struct epoll_event events[8];
    while (!exited_) {
      int n = ::epoll_wait(epoll_.get(), events, 8, -1);
      if (n < 0) {
        if (errno == EINTR) continue;
        return fallback(fmt::format("epoll_wait: {}", std::strerror(errno)));
      }
      for (int i = 0; i < n; i++) handle(events[i].data.fd, events[i].events);
    }
    // Take what the pipes still hold, without waiting for processes that
    // escaped the init (no pid namespace) and still have them open.
    for (int fd : {c.stdout_read.get(), c.stderr_read.get(), c.pty_master.get()})
      if (fd >= 0) pump(fd);
    return record_;
  }

 private:
  void add(int fd) {
    struct epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.fd = fd;
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, fd, &ev);
  }

  void handle(int fd, uint32_t events) {
    auto &c = p_.container;
    if (fd == stranger_.get()) {
      record_.exited_at_ns = now_ns();
      record_.exit_code = -1;
      record_.message = fmt::format("the container's init {} was not the monitor's child: its exit status is unknown",
                                    p_.container.pid);
      exited_ = true;
    } else if (fd == p_.signal_fd.get()) {
      struct signalfd_siginfo info[4];
      while (::read(fd, info, sizeof info) > 0) {
      }
      reap();
    } else if (fd == p_.ctl_listen.get()) {
      for (;;) {
        int conn = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (conn < 0) break;
        clients_.emplace_back(conn);
        add(conn);
      }
    } else if (fd == p_.attach_listen.get()) {
      for (;;) {
        int conn = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (conn < 0) break;
        attached_.emplace_back(conn);
        add(conn);
      }
    } else if (fd == c.stdout_read.get() || fd == c.stderr_read.get() || fd == c.pty_master.get()) {
      if (!pump(fd)) ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    } else if (is_attached(fd)) {
      if (!take_input(fd)) drop_attached(fd);
    } else {
      bool keep = (events & EPOLLIN) && serve_command(fd, [this](std::string_view cmd) { return command(cmd); });
      if (!keep) {
        ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
        std::erase_if(clients_, [fd](const Fd &f) { return f.get() == fd; });
      }
    }
  }

  // Copies output to the log until the pipe is empty; false at end of file.
  bool pump(int fd) {
    Stream stream = fd == p_.container.stderr_read.get() ? Stream::Stderr : Stream::Stdout;
    for (;;) {
      ssize_t n = ::read(fd, buf_, sizeof buf_);
      if (n > 0) {
        struct timespec ts;
        ::clock_gettime(CLOCK_REALTIME, &ts);
        p_.log->write(stream, std::string_view(buf_, n), ts);
        fan_out(stream, n);
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      // EIO on a pty master: the last slave closed.
      return n < 0 && errno == EAGAIN;
    }
  }

  bool is_attached(int fd) const {
    for (const auto &a : attached_)
      if (a.get() == fd) return true;
    return false;
  }

  void drop_attached(int fd) {
    ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    std::erase_if(attached_, [fd](const Fd &f) { return f.get() == fd; });
  }

  // Sends buf_[0, n) to every attached client, prefixed by the stream byte.
  void fan_out(Stream stream, ssize_t n) {
    if (attached_.empty()) return;
    char tag = stream == Stream::Stderr ? 2 : 1;
    struct iovec iov[2] = {{&tag, 1}, {buf_, size_t(n)}};
    std::vector<int> gone;
    for (const auto &a : attached_) {
      struct msghdr msg{};
      msg.msg_iov = iov;
      msg.msg_iovlen = 2;
      if (::sendmsg(a.get(), &msg, MSG_DONTWAIT | MSG_NOSIGNAL) < 0 && errno != EAGAIN) gone.push_back(a.get());
    }
    for (int fd : gone) drop_attached(fd);
  }

  // An attached client's input to the container; false when the client left.
  bool take_input(int fd) {
    char in[4096];
    ssize_t n = ::recv(fd, in, sizeof in, 0);
    if (n < 0) return errno == EAGAIN || errno == EINTR;
    if (n == 0) return false;
    int to = p_.container.pty_master ? p_.container.pty_master.get() : p_.container.stdin_write.get();
    // No stdin: the input has nowhere to go and is dropped.
    for (ssize_t done = 0; to >= 0 && done < n;) {
      ssize_t w = ::write(to, in + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) break;  // a container that reads no input must not stall the monitor
      done += w;
    }
    return true;
  }

  void reap() {
    for (;;) {
      int status;
      pid_t pid = ::waitpid(-1, &status, WNOHANG);
      if (pid <= 0) break;
      // Others are orphans of the container re-parented to us (a subreaper).
      if (pid == p_.container.pid) {
        record_ = record_of(status);
        exited_ = true;
      }
    }
  }

  Result<void> command(std::string_view cmd) {
    if (cmd == "ping") return {};
    // Whether the last log write failed (disk full): crid shows it in ContainerStatus.
    if (cmd == "log-status") {
      if (const auto &e = p_.log->last_error(); !e.empty()) return make_error("{}", e);
      return {};
    }
    if (cmd == "reopen-log") return p_.log->reopen();
    if (cmd == "close-stdin") return close_stdin();
    if (cmd.starts_with("resize ")) {
      if (!p_.container.pty_master) return make_error("resize: the container has no terminal");
      unsigned short rows = 0, cols = 0;
      std::string_view rest = cmd.substr(7);
      auto [e1, ec1] = std::from_chars(rest.data(), rest.data() + rest.size(), rows);
      if (ec1 != std::errc() || e1 == rest.data() + rest.size() || *e1 != ' ')
        return make_error("resize: want \"resize ROWS COLUMNS\"");
      auto [e2, ec2] = std::from_chars(e1 + 1, rest.data() + rest.size(), cols);
      if (ec2 != std::errc() || e2 != rest.data() + rest.size())
        return make_error("resize: want \"resize ROWS COLUMNS\"");
      struct winsize ws{};
      ws.ws_row = rows;
      ws.ws_col = cols;
      if (::ioctl(p_.container.pty_master.get(), TIOCSWINSZ, &ws) < 0) return sys_error(errno, "resize the terminal");
      return {};
    }
    return make_error("unknown command {:?}", std::string(cmd));
  }

  // stdin_once: the first attach that had stdin closed it, so the container
  // sees the end of its input, as under containerd. A terminal has no stdin
  // of its own to close: ^D is what ends a reader's input there.
  Result<void> close_stdin() {
    auto &c = p_.container;
    if (c.pty_master) {
      if (stdin_closed_) return {};
      stdin_closed_ = true;
      if (::write(c.pty_master.get(), "\x04", 1) < 0) return sys_error(errno, "close-stdin: write ^D to the terminal");
      return {};
    }
    c.stdin_write.reset();  // later input has nowhere to go and is dropped
    return {};
  }

  // The loop cannot go on: wait for the init the plain way, keeping the
  // reason in the record.
  ExitRecord fallback(std::string why) {
    int status = 0;
    ExitRecord r;
    if (::waitpid(p_.container.pid, &status, 0) == p_.container.pid) r = record_of(status);
    else r.exited_at_ns = now_ns(), r.exit_code = -1;
    r.message = std::move(why);
    return r;
  }

  LoopParts p_;
  Fd epoll_;
  Fd stranger_;  // pidfd of an init that is not our child
  std::vector<Fd> clients_;
  std::vector<Fd> attached_;
  bool exited_ = false;
  bool stdin_closed_ = false;
  ExitRecord record_;
  char buf_[CriLogWriter::kMaxRecord];
};

}  // namespace

ExitRecord run_monitor_loop(LoopParts parts) {
  auto loop = std::make_unique<Loop>(std::move(parts));  // holds the 16 KiB read buffer
  return loop->run();
}

}  // namespace berth::crid::monitor
