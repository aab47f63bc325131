// exec: the synchronous form (ExecSync), or with -i/-t the streaming one
// (stream_commands.cpp). The command's stdout and stderr go to cridctl's, and
// cridctl exits with the command's exit code.
#include <unistd.h>

#include <fmt/core.h>

#include "crid/ctl/command_support.h"
#include "crid/ctl/commands.h"

namespace berth::cridctl {

namespace v1 = runtime::v1;

namespace {

void write_all(int fd, const std::string &bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;  // a closed pipe: nobody is reading any more
    done += static_cast<size_t>(n);
  }
}

}  // namespace

int cmd_exec(const Globals &g, const Argv &argv) {
  // Flags come before the container id; everything after it is the command.
  std::vector<FlagSpec> flags = {{"sync", 's'}, {"timeout", 0, true}, {"tty", 't'}, {"interactive", 'i'},
                                 {"transport", 0, true}};
  flags.insert(flags.end(), kStreamTlsFlags.begin(), kStreamTlsFlags.end());
  ParsedArgs a = parse_or_fail(argv, flags, "exec", 1);
  if (a.has("tty") || a.has("interactive")) {
    if (a.has("sync")) fail("exec: -s cannot go with -i or -t (a synchronous exec has no stdin or terminal)");
    return exec_streaming(g, a);
  }
  if (a.positional.size() < 2) fail("exec: expected CONTAINER-ID COMMAND [ARG...]");
  long long timeout = integer_or_fail(a, "timeout", "exec", 0);
  if (timeout < 0) fail("exec: --timeout cannot be negative");

  auto stub = runtime_stub(g);
  std::string id = resolve_container_id(*stub, g, a.positional[0]);
  v1::ExecSyncRequest req;
  req.set_container_id(id);
  for (size_t i = 1; i < a.positional.size(); ++i) req.add_cmd(a.positional[i]);
  req.set_timeout(timeout);
  // Without --timeout the command may run as long as it likes.
  auto ctx = call_context_with_timeout(timeout > 0 ? static_cast<double>(timeout) + g.timeout_seconds : 0);
  v1::ExecSyncResponse resp;
  check(stub->ExecSync(ctx.get(), req, &resp), fmt::format("exec in container \"{}\"", id));
  write_all(STDOUT_FILENO, resp.stdout());
  write_all(STDERR_FILENO, resp.stderr());
  return resp.exit_code();
}

}  // namespace berth::cridctl
