// exec: runc's flags turned into an ExecOptions; the foreground part (signals,
// terminal proxy, exit status) is the one `run` uses.
#include <sys/socket.h>

#include <charconv>

#include "libcontainer/exec.h"
#include "libcontainer/sync.h"
#include "runtime/commands.h"
#include "runtime/foreground.h"

namespace berth::cmd {

const std::vector<cli::Option> kExecOptions = {
    {"console-socket", 0, true, "unix socket that receives the pty master (with --tty)", "PATH"},
    {"cwd", 0, true, "current working directory in the container", "DIR"},
    {"env", 'e', true, "set an environment variable (repeatable)", "KEY=VALUE"},
    {"tty", 't', false, "allocate a pseudo-TTY"},
    {"user", 'u', true, "uid[:gid] to run the process as", "UID[:GID]"},
    {"additional-gids", 'g', true, "additional gid (repeatable)", "GID"},
    {"process", 'p', true, "path to a process.json; the other process flags are ignored", "FILE"},
    {"detach", 'd', false, "detach from the process"},
    {"pid-file", 0, true, "file to write the process's pid to", "FILE"},
    {"process-label", 0, true, "SELinux label for the process", "LABEL"},
    {"apparmor", 0, true, "AppArmor profile for the process", "PROFILE"},
    {"no-new-privs", 0, false, "set no_new_privs for the process"},
    {"cap", 'c', true, "add a capability to every set (repeatable)", "CAP"},
    {"preserve-fds", 0, true, "pass N additional file descriptors (from fd 3) to the process", "N"},
    {"cgroup", 0, true, "run in a sub-cgroup of the container: PATH or CONTROLLER[,CONTROLLER]:PATH", "PATH"},
    {"ignore-paused", 0, false, "allow exec in a paused container"},
};

namespace {

Result<ExecOptions> exec_options(const cli::Parsed &p) {
  ExecOptions o;
  o.id = p.positional[0];
  o.console_socket = p.get("console-socket");
  o.pid_file = p.get("pid-file");
  o.sub_cgroup = p.get("cgroup");
  o.ignore_paused = p.flag("ignore-paused");
  if (p.has("preserve-fds")) {
    std::string v = p.get("preserve-fds");
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), o.preserve_fds);
    if (v.empty() || ec != std::errc() || end != v.data() + v.size() || o.preserve_fds < 0)
      return make_error("--preserve-fds: expected a non-negative number, got \"{}\"", v);
  }
  ExecOverrides &ov = o.overrides;
  ov.args.assign(p.positional.begin() + 1, p.positional.end());
  ov.tty = p.flag("tty");
  ov.env = p.all("env");
  if (p.has("cwd")) ov.cwd = p.get("cwd");
  if (p.has("user")) {
    auto [uid, gid] = TRY(parse_exec_user(p.get("user")));
    ov.uid = uid;
    ov.gid = gid;
  }
  for (const auto &g : p.all("additional-gids")) {
    uint32_t v;
    auto [end, ec] = std::from_chars(g.data(), g.data() + g.size(), v);
    if (g.empty() || ec != std::errc() || end != g.data() + g.size())
      return make_error("--additional-gids: expected a number, got \"{}\"", g);
    ov.additional_gids.push_back(v);
  }
  ov.caps = p.all("cap");
  ov.no_new_privs = p.flag("no-new-privs");
  if (p.has("apparmor")) ov.apparmor = p.get("apparmor");
  if (p.has("process-label")) ov.process_label = p.get("process-label");
  if (p.has("process")) {
    o.process = TRY(load_process_file(p.get("process")));
    // As runc: the file's terminal setting holds, the --tty flag is not read.
  } else if (ov.args.empty()) {
    return make_error("exec needs a command (or --process FILE)");
  }
  return o;
}

}  // namespace

int exec(const Context &ctx, const cli::Parsed &p) {
  const std::string &id = p.positional[0];
  auto o = exec_options(p);
  if (!o) return fail("exec", id, o.error());
  bool detach = p.flag("detach");
  bool tty = o->process ? o->process->terminal : o->overrides.tty;
  if (detach && tty && o->console_socket.empty())
    return fail("exec", id, Error{0, "--detach with --tty needs --console-socket"});

  // In the foreground with a terminal and no --console-socket, berth receives
  // the pty master itself and proxies it, as `run` does.
  Fd console_ours, console_theirs;
  if (!detach && tty && o->console_socket.empty()) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
      return fail("exec", id, Error{errno, "socketpair for the console"});
    console_ours.reset(sv[0]);
    console_theirs.reset(sv[1]);
    o->console_socket_fd = console_theirs.get();
  }

  sigset_t old;
  if (!detach) block_forwarded_signals(&old);
  auto pid = exec_container(ctx.runtime, *o);
  if (!pid) return fail("exec", id, pid.error());
  console_theirs.reset();
  if (detach) return 0;

  Fd master;
  if (console_ours) {
    // The process sent the master before it exec'd, so it is queued by now.
    auto fd = recv_fd(console_ours.get());
    if (fd) master.reset(*fd);
  }
  auto status = wait_foreground(*pid, master.valid() ? master.get() : -1);
  if (!status) return fail("exec", id, status.error());
  return *status;
}

}  // namespace berth::cmd
