#include "crid/streaming/runtime_backend.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <sched.h>
#include <spawn.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <thread>

#include "crid/log.h"
#include "crid/monitor_client.h"
#include "crid/streaming/attach_protocol.h"
#include "crid/streaming/exec_process.h"
#include "crid/streaming/http_message.h"
#include "crid/streaming/relay.h"

extern char **environ;

namespace berth::crid::streaming {

namespace {

struct Child {
  pid_t pid = -1;
  // Reaps the child on every path, so an error never leaves a zombie.
  ~Child() {
    if (pid > 0) {
      int st;
      while (::waitpid(pid, &st, 0) < 0 && errno == EINTR) {
      }
    }
  }
  Result<int> wait() {
    int st = 0;
    while (::waitpid(pid, &st, 0) < 0) {
      if (errno != EINTR) return sys_error(errno, "waitpid {}", pid);
    }
    pid = -1;
    if (WIFSIGNALED(st)) return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
  }
};

// posix_spawn with stdio on the given descriptors (-1: /dev/null).
Result<pid_t> spawn_with_stdio(const std::vector<std::string> &argv, int in, int out, int err) {
  Fd devnull(::open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!devnull) return sys_error(errno, "open /dev/null");
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  int fds[3] = {in, out, err};
  for (int i = 0; i < 3; ++i) posix_spawn_file_actions_adddup2(&fa, fds[i] >= 0 ? fds[i] : devnull.get(), i);
  posix_spawn_file_actions_addclosefrom_np(&fa, 3);
  std::vector<char *> args;
  for (const auto &a : argv) args.push_back(const_cast<char *>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = ::posix_spawn(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) return sys_error(rc, "start {}", argv[0]);
  return pid;
}

Result<Fd> receive_fd(int sock) {
  char data[256];
  iovec iov{data, sizeof data};
  alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  while ((n = ::recvmsg(sock, &msg, MSG_CMSG_CLOEXEC)) < 0 && errno == EINTR) {
  }
  if (n < 0) return sys_error(errno, "receive the pty master");
  for (cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      std::memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return Fd(fd);
    }
  }
  return make_error("console socket: the runtime sent no file descriptor");
}

// A listening console socket in a private directory, removed with it.
struct ConsoleSocket {
  std::string dir;
  std::string path;
  Fd listener;
  ~ConsoleSocket() {
    if (!path.empty()) ::unlink(path.c_str());
    if (!dir.empty()) ::rmdir(dir.c_str());
  }
};

Result<void> open_console_socket(const std::string &parent, ConsoleSocket &cs) {
  std::string tmpl = parent + "/crid-console-XXXXXX";
  if (!::mkdtemp(tmpl.data())) return sys_error(errno, "create a console socket directory in {}", parent);
  cs.dir = tmpl;
  cs.path = tmpl + "/console.sock";
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (cs.path.size() >= sizeof addr.sun_path) return make_error("console socket path too long: {}", cs.path);
  std::strcpy(addr.sun_path, cs.path.c_str());
  cs.listener.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!cs.listener) return sys_error(errno, "console socket");
  if (::bind(cs.listener.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0)
    return sys_error(errno, "bind console socket {}", cs.path);
  if (::listen(cs.listener.get(), 1) < 0) return sys_error(errno, "listen on console socket {}", cs.path);
  return {};
}

void set_size(int master, TermSize s) {
  winsize ws{};
  ws.ws_row = s.height;
  ws.ws_col = s.width;
  ::ioctl(master, TIOCSWINSZ, &ws);
}

}  // namespace

Result<std::vector<std::string>> RuntimeBackend::runtime_argv(const std::string &id) const {
  RuntimeTarget t{.runtime_path = config_.runtime, .runtime_root = config_.runtime_root};
  if (config_.target) t = TRY(config_.target(id));
  auto argv = crid::runtime_argv(t, {});
  return argv;
}

Result<int> RuntimeBackend::exec(const std::string &id, const std::vector<std::string> &cmd, const StreamIo &io) {
  if (cmd.empty()) return make_error("exec in {}: no command", id);
  if (io.tty) return exec_tty(id, cmd, io);
  auto argv = TRY_CTX(runtime_argv(id), fmt::format("exec in {}", id));
  argv.push_back("exec");
  argv.push_back(id);
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  Child child;
  child.pid = TRY_CTX(spawn_with_stdio(argv, io.stdin_fd, io.stdout_fd, io.stderr_fd), fmt::format("exec in {}", id));
  return child.wait();
}

Result<int> RuntimeBackend::exec_tty(const std::string &id, const std::vector<std::string> &cmd, const StreamIo &io) {
  ConsoleSocket cs;
  TRY_CTX(open_console_socket(config_.console_dir, cs), fmt::format("exec in {}", id));
  auto argv = TRY_CTX(runtime_argv(id), fmt::format("exec in {}", id));
  // Clients send their size first thing on the resize stream; given to the
  // runtime in consoleSize, the pty has it before the command starts (a
  // size set after the master arrives comes too late for `stty size`).
  std::optional<TermSize> initial;
  if (io.resize) initial = io.resize->pop_latest_within(std::chrono::milliseconds(250));
  std::optional<ExecProcessFile> process_file;
  if (config_.bundle_config) {
    auto config = TRY_CTX(config_.bundle_config(id), fmt::format("exec in {}", id));
    auto json = TRY_CTX(exec_process_json(config, cmd, initial), fmt::format("exec in {}", id));
    process_file.emplace(TRY_CTX(ExecProcessFile::write(config_.console_dir, json), fmt::format("exec in {}", id)));
    argv.insert(argv.end(), {"exec", "--process", process_file->path(), "--console-socket", cs.path, id});
  } else {
    argv.insert(argv.end(), {"exec", "--tty", "--console-socket", cs.path, id});
    argv.insert(argv.end(), cmd.begin(), cmd.end());
  }
  // The runtime's own stderr goes to the client: its error text is what the user needs.
  Child child;
  child.pid = TRY_CTX(spawn_with_stdio(argv, -1, -1, io.stdout_fd), fmt::format("exec in {}", id));

  // Wait for the runtime's connection, watching for it failing before it sends one.
  Fd conn;
  for (int waited = 0; !conn; waited += 100) {
    auto ready = TRY(wait_readable(cs.listener.get(), -1, 100));
    if (ready) {
      conn.reset(::accept4(cs.listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
      if (!conn) return sys_error(errno, "exec in {}: accept on the console socket", id);
      break;
    }
    int st;
    pid_t r = ::waitpid(child.pid, &st, WNOHANG);
    if (r == child.pid) {
      child.pid = -1;
      return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
    }
    if (waited > 30000) return make_error("exec in {}: the runtime sent no pty master within 30s", id);
  }
  Fd master = TRY_CTX(receive_fd(conn.get()), fmt::format("exec in {}", id));
  conn.reset();

  Canceller stop;
  std::thread resize_thread;
  if (io.resize) {
    if (auto s = io.resize->try_pop_latest()) initial = s;
    if (initial) set_size(master.get(), *initial);
    resize_thread = std::thread([&] {
      while (auto s = io.resize->pop()) set_size(master.get(), *s);
    });
  }
  std::thread input;
  if (io.stdin_fd >= 0)
    input = std::thread([&] { (void)copy_fd(io.stdin_fd, master.get(), stop.fd()); });
  Canceller output_stop;
  std::thread output([&] {
    if (io.stdout_fd >= 0)
      (void)copy_fd(master.get(), io.stdout_fd, output_stop.fd());
    else
      (void)copy_to(master.get(), [](std::string_view) -> Result<void> { return {}; }, output_stop.fd());
  });
  auto code = child.wait();
  // Output still in the pty after the runtime ended is drained, but a process
  // left holding the terminal must not keep the stream open forever.
  std::thread drain_timer([&] {
    (void)wait_readable(stop.fd(), -1, 2000);
    output_stop.cancel();
  });
  output.join();
  stop.cancel();
  drain_timer.join();
  if (input.joinable()) input.join();
  if (io.resize) io.resize->close();
  if (resize_thread.joinable()) resize_thread.join();
  return code;
}

Result<int> RuntimeBackend::attach(const std::string &id, const StreamIo &io) {
  if (!config_.monitor_socket_dir) return make_error("attach to {}: no monitor is known for it", id);
  std::string dir = TRY_CTX(config_.monitor_socket_dir(id), fmt::format("attach to {}", id));
  Fd sock = TRY_CTX(connect_attach_socket(dir + "/attach"), fmt::format("attach to {}", id));
  ResizeFn resize = [dir](TermSize s) { return monitor_command(dir, fmt::format("resize {} {}", s.height, s.width)); };
  // The size the client had when it came, before any output is drawn.
  if (io.tty && io.resize)
    if (auto s = io.resize->try_pop_latest()) (void)resize(*s);
  std::function<void()> stdin_ended;
  if (io.stdin_once)
    stdin_ended = [dir, id] {
      if (auto r = monitor_command(dir, "close-stdin"); !r)
        log::warning("attach to {}: close its stdin (stdin_once): {}", id, r.error().message);
    };
  return TRY_CTX(run_attach_client(sock.get(), io, resize, stdin_ended), fmt::format("attach to {}", id));
}

Result<Fd> connect_in_netns(const std::string &netns_path, uint16_t port) {
  Result<Fd> result = make_error("not run");
  std::thread t([&] {
    Fd ns(::open(netns_path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!ns) {
      result = sys_error(errno, "open network namespace {}", netns_path);
      return;
    }
    // The thread must not share its fs attributes for setns; std::thread shares
    // them, which CLONE_NEWNET does not mind (only mount and user namespaces do).
    if (::setns(ns.get(), CLONE_NEWNET) < 0) {
      result = sys_error(errno, "enter network namespace {}", netns_path);
      return;
    }
    Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!s) {
      result = sys_error(errno, "socket in network namespace {}", netns_path);
      return;
    }
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc;
    while ((rc = ::connect(s.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr)) < 0 && errno == EINTR) {
    }
    if (rc < 0) {
      result = sys_error(errno, "connect to 127.0.0.1:{} in network namespace {}", port, netns_path);
      return;
    }
    result = std::move(s);
    // The thread ends here, still in the pod's namespace: nothing else runs on it.
  });
  t.join();
  return result;
}

Result<Fd> RuntimeBackend::port_forward(const std::string &sandbox_id, uint16_t port) {
  if (!config_.netns_path) return make_error("port-forward to {}: no network namespace is known for it", sandbox_id);
  std::string path = TRY_CTX(config_.netns_path(sandbox_id), fmt::format("port-forward to {}", sandbox_id));
  return TRY_CTX(connect_in_netns(path, port), fmt::format("port-forward to {} port {}", sandbox_id, port));
}

}  // namespace berth::crid::streaming
