#include "crid/monitor/runtime_create.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include "crid/monitor/unix_socket.h"
#include "crid/spawn.h"
#include "libcontainer/file_util.h"

namespace berth::crid::monitor {

namespace {

struct Pipe {
  Fd read, write;
};

Result<Pipe> make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return sys_error(errno, "create a pipe");
  return Pipe{Fd(fds[0]), Fd(fds[1])};
}

void set_nonblocking(int fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }

// Reads what is there without blocking; false at end of file.
bool drain(int fd, std::string &into) {
  char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      if (into.size() < (1 << 20)) into.append(buf, n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    return n < 0 && errno == EAGAIN;
  }
}

// The pty master the runtime sends (SCM_RIGHTS) over the console socket.
Result<Fd> receive_fd(int sock) {
  char data[256];
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int) * 4)];
  struct iovec iov = {data, sizeof data};
  struct msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  if (n < 0) return sys_error(errno, "receive the terminal from the console socket");
  Fd master;
  for (auto *c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    for (size_t i = 0; i < count; i++) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
      if (!master) master = Fd(fd);
      else ::close(fd);
    }
  }
  if (!master) return make_error("console socket: the runtime sent no file descriptor");
  return master;
}

// What the runtime should connect to: the socket's own path, or when that is
// too long for sun_path, the same file through this process's directory fd.
std::string console_path_for_runtime(const std::string &path, const Fd &dir) {
  if (path.size() < sizeof(sockaddr_un::sun_path)) return path;
  return fmt::format("/proc/{}/fd/{}/console.sock", ::getpid(), dir.get());
}

Result<int> read_pid_file(const std::string &path) {
  auto text = TRY(read_file(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  int pid = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), pid);
  if (ec != std::errc() || end != text.data() + text.size() || pid <= 0)
    return make_error("pid file {}: {:?} is not a pid", path, text);
  return pid;
}

// The runtime said it created the container but something after that failed:
// take it away again so a failed create leaves nothing behind.
void delete_container(const Options &o) {
  std::vector<std::string> argv{o.runtime};
  argv.insert(argv.end(), o.runtime_args.begin(), o.runtime_args.end());
  for (const char *a : {"--root", o.runtime_root.c_str(), "delete", "--force", o.id.c_str()}) argv.emplace_back(a);
  SpawnRequest request;
  request.argv = std::move(argv);
  request.timeout = std::chrono::seconds(30);
  (void)run_program(request);
}

}  // namespace

Result<CreatedContainer> create_container(const Options &o) {
  CreatedContainer out;
  std::string pid_file = o.socket_dir + "/pidfile";
  std::string console_socket = o.socket_dir + "/console.sock";
  ::unlink(pid_file.c_str());

  // Ends the child gets as 0, 1, 2; ours stay close-on-exec.
  Fd child_in, child_out, child_err;
  Fd runtime_out;  // --tty: the runtime's own output, for its error message
  Fd console_listen, console_dir;
  Fd null(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null) return sys_error(errno, "open /dev/null");
  if (o.tty) {
    console_dir = Fd(::open(o.socket_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!console_dir) return sys_error(errno, "open {}", o.socket_dir);
    console_listen = TRY(listen_unix(console_socket, SOCK_STREAM));
    auto p = TRY(make_pipe());
    runtime_out = std::move(p.read);
    child_out = std::move(p.write);
    child_in = Fd(::dup(null.get()));
  } else {
    auto pout = TRY(make_pipe());
    auto perr = TRY(make_pipe());
    out.stdout_read = std::move(pout.read);
    out.stderr_read = std::move(perr.read);
    child_out = std::move(pout.write);
    child_err = std::move(perr.write);
    if (o.stdin_open) {
      auto pin = TRY(make_pipe());
      out.stdin_write = std::move(pin.write);
      child_in = std::move(pin.read);
    } else {
      child_in = Fd(::dup(null.get()));
    }
  }
  int err_for_child = child_err ? child_err.get() : child_out.get();

  std::vector<std::string> args{o.runtime};
  args.insert(args.end(), o.runtime_args.begin(), o.runtime_args.end());
  for (const auto &a : {std::string("--root"), o.runtime_root, std::string("create"), std::string("--bundle"),
                        o.bundle, std::string("--pid-file"), pid_file})
    args.push_back(a);
  if (o.tty) {
    args.push_back("--console-socket");
    args.push_back(console_path_for_runtime(console_socket, console_dir));
  }
  args.push_back(o.id);
  std::vector<char *> argv;
  for (auto &a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

  pid_t pid = ::fork();
  if (pid < 0) return sys_error(errno, "fork to run {}", o.runtime);
  if (pid == 0) {
    // The child of a single-threaded process: only async-signal-safe calls.
    ::dup2(child_in.get(), 0);
    ::dup2(child_out.get(), 1);
    ::dup2(err_for_child, 2);
    ::close_range(3, ~0U, 0);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
    ::signal(SIGHUP, SIG_DFL);
    ::execv(argv[0], argv.data());
    int e = errno;
    const char *what = "exec runtime: ";
    ssize_t ignored = ::write(2, what, std::strlen(what));
    ignored = ::write(2, argv[0], std::strlen(argv[0]));
    ignored = ::write(2, ": ", 2);
    ignored = ::write(2, std::strerror(e), std::strlen(std::strerror(e)));
    ignored = ::write(2, "\n", 1);
    (void)ignored;
    ::_exit(127);
  }
  child_in.reset();
  child_out.reset();
  child_err.reset();

  // Wait for the runtime while reading what it prints (a hook can print more
  // than a pipe holds) and taking the terminal when it sends it.
  Fd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) {
    int e = errno;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    return sys_error(e, "pidfd_open of the runtime");
  }
  std::string captured_err;
  int out_fd = o.tty ? runtime_out.get() : out.stdout_read.get();
  int err_fd = o.tty ? -1 : out.stderr_read.get();
  std::string &out_text = o.tty ? captured_err : out.early_stdout;
  std::string &err_text = o.tty ? captured_err : out.early_stderr;
  set_nonblocking(out_fd);
  if (err_fd >= 0) set_nonblocking(err_fd);
  Result<void> console_error;
  for (bool exited = false; !exited;) {
    struct pollfd p[4];
    int n = 0;
    p[n++] = {pidfd.get(), POLLIN, 0};
    p[n++] = {out_fd, POLLIN, 0};
    p[n++] = {err_fd, POLLIN, 0};  // a negative fd is skipped by poll
    p[n++] = {console_listen ? console_listen.get() : -1, POLLIN, 0};
    if (::poll(p, n, -1) < 0) {
      if (errno == EINTR) continue;
      return sys_error(errno, "poll while waiting for the runtime");
    }
    if (p[1].revents) drain(out_fd, out_text);
    if (p[2].revents) drain(err_fd, err_text);
    if (p[3].revents && !out.pty_master) {
      Fd conn(::accept4(console_listen.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (conn) {
        auto master = receive_fd(conn.get());
        if (master) out.pty_master = std::move(*master);
        else console_error = std::unexpected(master.error());
      }
    }
    if (p[0].revents) exited = true;
  }
  drain(out_fd, out_text);
  if (err_fd >= 0) drain(err_fd, err_text);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (console_listen) {
    console_listen.reset();
    ::unlink(console_socket.c_str());
  }

  SpawnResult run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.err = o.tty ? captured_err : out.early_stderr;
  if (run.err.empty() && !o.tty) run.err = out.early_stdout;
  if (run.exit_code != 0) {
    ::unlink(pid_file.c_str());
    return make_error("{}", runtime_error_text(run));
  }

  auto init_pid = read_pid_file(pid_file);
  ::unlink(pid_file.c_str());
  Result<void> failed;
  if (!init_pid) failed = std::unexpected(init_pid.error());
  else if (!console_error) failed = console_error;
  else if (o.tty && !out.pty_master) failed = make_error("the runtime did not send the container's terminal");
  if (!failed) {
    delete_container(o);
    return std::unexpected(failed.error());
  }
  out.pid = *init_pid;
  if (o.tty) out.early_stdout.clear();
  return out;
}

}  // namespace berth::crid::monitor
