// exec -i/-t, attach and port-forward: the RPC hands out a URL on crid's
// streaming server, and cridctl speaks the Kubernetes streaming protocols to
// it (crid/streaming/client.h) as kubectl and crictl do.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <thread>

#include <fmt/core.h>

#include "crid/ctl/command_support.h"
#include "crid/ctl/commands.h"
#include "crid/ctl/terminal.h"
#include "crid/streaming/client.h"

namespace berth::cridctl {

namespace v1 = runtime::v1;
namespace st = crid::streaming;

namespace {

st::ClientProtocol protocol_or_fail(const ParsedArgs &a, std::string_view command) {
  std::string p = a.value_or("transport", "spdy");
  if (p == "spdy") return st::ClientProtocol::spdy;
  if (p == "websocket") return st::ClientProtocol::websocket;
  fail(fmt::format("{}: --transport {:?}: expected spdy or websocket", command, p));
}

// With crid's stream_enable_tls the URLs are https. The server's certificate
// is checked as kubectl checks the API server's: against the system's trust
// store, or --certificate-authority; --insecure-skip-tls-verify does what
// crictl always does (it never verifies the streaming server).
st::TlsClientOptions tls_options(const ParsedArgs &a) {
  st::TlsClientOptions o;
  o.ca_file = a.value_or("certificate-authority", "");
  o.insecure_skip_verify = a.has("insecure-skip-tls-verify");
  o.cert_file = a.value_or("client-certificate", "");
  o.key_file = a.value_or("client-key", "");
  return o;
}

// Runs the remote command (exec or attach) behind url on cridctl's own stdio.
int run_stream(const std::string &url, bool in, bool tty, st::ClientProtocol protocol, std::string_view what,
               const st::TlsClientOptions &tls) {
  st::ResizeQueue sizes;
  st::RemoteCommandOptions o;
  o.protocol = protocol;
  o.stdin_fd = in ? STDIN_FILENO : -1;
  o.stdout_fd = STDOUT_FILENO;
  o.stderr_fd = tty ? -1 : STDERR_FILENO;
  o.tty = tty;
  o.tls = tls;
  std::optional<RawTerminal> raw;
  std::optional<ResizeWatcher> watcher;
  if (tty) {
    o.resize = &sizes;
    block_sigwinch();
    int term = ::isatty(STDIN_FILENO) ? STDIN_FILENO : STDOUT_FILENO;
    watcher.emplace(term, sizes);
    // Raw only when the keys come from a terminal; a pipe into -t stays as it is.
    if (in) raw.emplace(STDIN_FILENO);
  }
  auto code = st::run_remote_command(url, o);
  raw.reset();
  watcher.reset();
  if (!code) fail(fmt::format("{}: {}", what, code.error().message));
  return *code;
}

}  // namespace

int exec_streaming(const Globals &g, const ParsedArgs &a) {
  if (a.positional.size() < 2) fail("exec: expected CONTAINER-ID COMMAND [ARG...]");
  bool tty = a.has("tty"), in = a.has("interactive");
  auto protocol = protocol_or_fail(a, "exec");
  auto stub = runtime_stub(g);
  std::string id = resolve_container_id(*stub, g, a.positional[0]);
  v1::ExecRequest req;
  req.set_container_id(id);
  for (size_t i = 1; i < a.positional.size(); ++i) req.add_cmd(a.positional[i]);
  req.set_tty(tty);
  req.set_stdin(in);
  req.set_stdout(true);
  req.set_stderr(!tty);
  v1::ExecResponse resp;
  check(stub->Exec(call_context(g).get(), req, &resp), fmt::format("exec in container \"{}\"", id));
  return run_stream(resp.url(), in, tty, protocol, fmt::format("exec in container \"{}\"", id), tls_options(a));
}

int cmd_attach(const Globals &g, const Argv &argv) {
  std::vector<FlagSpec> flags = {{"tty", 't'}, {"stdin", 'i'}, {"transport", 0, true}};
  flags.insert(flags.end(), kStreamTlsFlags.begin(), kStreamTlsFlags.end());
  ParsedArgs a = parse_or_fail(argv, flags, "attach");
  if (a.positional.size() != 1) fail("attach: expected CONTAINER-ID");
  bool tty = a.has("tty"), in = a.has("stdin");
  auto protocol = protocol_or_fail(a, "attach");
  auto stub = runtime_stub(g);
  std::string id = resolve_container_id(*stub, g, a.positional[0]);
  v1::AttachRequest req;
  req.set_container_id(id);
  req.set_tty(tty);
  req.set_stdin(in);
  req.set_stdout(true);
  req.set_stderr(!tty);
  v1::AttachResponse resp;
  check(stub->Attach(call_context(g).get(), req, &resp), fmt::format("attach to container \"{}\"", id));
  return run_stream(resp.url(), in, tty, protocol, fmt::format("attach to container \"{}\"", id), tls_options(a));
}

namespace {

std::atomic<bool> g_stop_forwarding{false};

void stop_forwarding(int) { g_stop_forwarding = true; }

uint16_t port_or_fail(std::string_view text, std::string_view spec, bool zero_ok) {
  unsigned v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size() || v > 65535 || (v == 0 && !zero_ok))
    fail(fmt::format("port-forward: {:?}: expected [LOCAL:]REMOTE with ports from 1 to 65535", std::string(spec)));
  return uint16_t(v);
}

}  // namespace

int cmd_port_forward(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, kStreamTlsFlags, "port-forward");
  st::TlsClientOptions tls = tls_options(a);
  if (a.positional.size() < 2) fail("port-forward: expected POD-ID [LOCAL:]REMOTE...");
  struct Mapping {
    uint16_t local, remote;
  };
  std::vector<Mapping> mappings;
  for (size_t i = 1; i < a.positional.size(); ++i) {
    std::string_view spec = a.positional[i];
    auto colon = spec.find(':');
    if (colon == std::string_view::npos) {
      uint16_t p = port_or_fail(spec, spec, false);
      mappings.push_back({p, p});
    } else {
      // ":REMOTE" asks for any free local port, as kubectl's does.
      uint16_t local = colon == 0 ? 0 : port_or_fail(spec.substr(0, colon), spec, true);
      mappings.push_back({local, port_or_fail(spec.substr(colon + 1), spec, false)});
    }
  }
  auto stub = runtime_stub(g);
  std::string id = resolve_pod_id(*stub, g, a.positional[0]);
  struct sigaction sa {};
  sa.sa_handler = stop_forwarding;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);

  // One URL (one token, one connection) per mapping: a URL works once.
  std::vector<std::thread> forwarders;
  std::atomic<int> failures{0};
  for (const auto &m : mappings) {
    v1::PortForwardRequest req;
    req.set_pod_sandbox_id(id);
    req.add_port(m.remote);
    v1::PortForwardResponse resp;
    check(stub->PortForward(call_context(g).get(), req, &resp), fmt::format("port-forward to pod \"{}\"", id));
    forwarders.emplace_back([&failures, &tls, url = resp.url(), m, id] {
      auto r = st::port_forward(
          url, m.local, m.remote,
          [&](uint16_t local) {
            fmt::print("Forwarding from 127.0.0.1:{} -> {}\n", local, m.remote);
            std::fflush(stdout);
          },
          &g_stop_forwarding, tls);
      if (!r) {
        fmt::print(stderr, "cridctl: port-forward to pod \"{}\" port {}: {}\n", id, m.remote, r.error().message);
        ++failures;
        g_stop_forwarding = true;
      }
    });
  }
  for (auto &t : forwarders) t.join();
  return failures ? 1 : 0;
}

int cmd_events(const Globals &g, const Argv &argv) {
  ParsedArgs a = parse_or_fail(argv, {{"output", 'o', true}}, "events");
  std::string format = a.value_or("output", "json");
  if (format != "json" && format != "table") fail(fmt::format("events: -o {:?}: expected json or table", format));
  if (!a.positional.empty()) fail("events: takes no arguments");
  auto stub = runtime_stub(g);
  // No deadline: the stream runs until crid ends it or cridctl is stopped.
  auto ctx = call_context_with_timeout(0);
  auto reader = stub->GetContainerEvents(ctx.get(), v1::GetEventsRequest());
  v1::ContainerEventResponse e;
  while (reader->Read(&e)) {
    if (format == "json") {
      // One compact object a line, so scripts can read the stream as it comes.
      fmt::print("{}\n", message_json(e).dump());
    } else {
      fmt::print("{} {} {} {}\n", e.created_at(), v1::ContainerEventType_Name(e.container_event_type()),
                 e.container_id(), e.pod_sandbox_status().id());
    }
    std::fflush(stdout);
  }
  check(reader->Finish(), "events");
  return 0;
}

}  // namespace berth::cridctl
