// create, start, run, kill, delete.
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>

#include "libcontainer/fd.h"
#include "libcontainer/signals.h"
#include "libcontainer/sync.h"
#include "runtime/commands.h"
#include "runtime/foreground.h"

namespace berth::cmd {

namespace {

Result<CreateOptions> create_options(const cli::Parsed &p) {
  CreateOptions o;
  o.id = p.positional[0];
  o.bundle = p.get("bundle", ".");
  if (o.bundle.empty()) o.bundle = ".";
  o.pid_file = p.get("pid-file");
  o.console_socket = p.get("console-socket");
  o.no_pivot = p.flag("no-pivot");
  o.no_new_keyring = p.flag("no-new-keyring");
  if (p.has("preserve-fds")) {
    std::string v = p.get("preserve-fds");
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), o.preserve_fds);
    if (ec != std::errc() || end != v.data() + v.size() || o.preserve_fds < 0)
      return make_error("--preserve-fds: expected a non-negative number, got \"{}\"", v);
  }
  return o;
}

}  // namespace

int create(const Context &ctx, const cli::Parsed &p) {
  auto o = create_options(p);
  if (!o) return fail("create", p.positional[0], o.error());
  auto pid = create_container(ctx.runtime, *o);
  if (!pid) return fail("create", o->id, pid.error());
  return 0;
}

int start(const Context &ctx, const cli::Parsed &p) {
  if (auto r = start_container(ctx.runtime, p.positional[0]); !r) return fail("start", p.positional[0], r.error());
  return 0;
}

int run(const Context &ctx, const cli::Parsed &p) {
  const std::string &id = p.positional[0];
  auto o = create_options(p);
  if (!o) return fail("run", id, o.error());
  bool detach = p.flag("detach");

  // In the foreground without --console-socket, berth itself receives the
  // terminal (when the config asks for one) and proxies it.
  Fd console_ours, console_theirs;
  if (!detach && o->console_socket.empty()) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
      return fail("run", id, Error{errno, "socketpair for the console"});
    console_ours.reset(sv[0]);
    console_theirs.reset(sv[1]);
    o->console_socket_fd = console_theirs.get();
  }

  sigset_t old;
  if (!detach) block_forwarded_signals(&old);
  auto pid = create_container(ctx.runtime, *o);
  if (!pid) return fail("run", id, pid.error());
  console_theirs.reset();

  Fd master;
  if (console_ours) {
    char probe;
    // The init sent the master before it reported ready, so it is queued now if there is one.
    if (::recv(console_ours.get(), &probe, 1, MSG_PEEK | MSG_DONTWAIT) >= 0) {
      auto fd = recv_fd(console_ours.get());
      if (fd) master.reset(*fd);
    }
  }

  if (auto r = start_container(ctx.runtime, id); !r) {
    (void)delete_container(ctx.runtime, id, true);
    return fail("run", id, r.error());
  }
  if (detach) return 0;

  auto status = wait_foreground(*pid, master.valid() ? master.get() : -1);
  if (!p.flag("keep")) {
    if (auto r = delete_container(ctx.runtime, id, true); !r) fail("run", id, r.error());
  }
  if (!status) return fail("run", id, status.error());
  return *status;
}

int kill(const Context &ctx, const cli::Parsed &p) {
  const std::string &id = p.positional[0];
  int sig = SIGTERM;
  if (p.positional.size() > 1) {
    auto s = parse_signal(p.positional[1]);
    if (!s) return fail("kill", id, Error{0, fmt::format("unknown signal \"{}\"", p.positional[1])});
    sig = *s;
  }
  if (auto r = kill_container(ctx.runtime, id, sig, p.flag("all")); !r) return fail("kill", id, r.error());
  return 0;
}

int del(const Context &ctx, const cli::Parsed &p) {
  const std::string &id = p.positional[0];
  if (auto r = delete_container(ctx.runtime, id, p.flag("force")); !r) return fail("delete", id, r.error());
  return 0;
}

}  // namespace berth::cmd
