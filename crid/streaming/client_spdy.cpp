#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <list>
#include <mutex>
#include <thread>

#include "crid/streaming/client.h"
#include "crid/streaming/http_message.h"
#include "crid/streaming/relay.h"
#include "crid/streaming/server.h"
#include "crid/streaming/spdy_session.h"

namespace berth::crid::streaming {

namespace {

Result<std::pair<std::unique_ptr<SpdySession>, std::string>> open_spdy(const std::string &url,
                                                                       const std::vector<std::string> &protocols,
                                                                       bool strict_flow_control = false,
                                                                       const TlsClientOptions &tls = {}) {
  std::vector<std::pair<std::string, std::string>> headers{{"Upgrade", "SPDY/3.1"}};
  for (const auto &p : protocols) headers.emplace_back("X-Stream-Protocol-Version", p);
  HttpHead response;
  std::string extra;
  Fd sock = TRY(upgrade_connection(url, headers, response, extra, tls));
  std::string chosen(response.header("X-Stream-Protocol-Version"));
  auto session = std::make_unique<SpdySession>(std::move(sock), true, std::move(extra));
  if (strict_flow_control) session->enforce_receive_window();
  session->start();
  return std::pair{std::move(session), chosen};
}

SpdyHeaders stream_headers(const char *type) { return {{"streamtype", type}}; }

}  // namespace

Result<int> run_remote_command_spdy(const std::string &url, const RemoteCommandOptions &o) {
  std::vector<std::string> protocols = o.protocols;
  if (protocols.empty())
    protocols = {"v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io", "channel.k8s.io"};
  auto [session, chosen] = TRY(open_spdy(url, protocols, o.strict_flow_control, o.tls));
  int version = remote_command_version(chosen);
  if (version == 0) version = 1;

  auto error_s = TRY(session->open_stream(stream_headers("error")));
  // We never write on the error stream.
  TRY(error_s->close_write());
  std::shared_ptr<SpdyStream> stdin_s, stdout_s, stderr_s, resize_s;
  if (o.stdin_fd >= 0) stdin_s = TRY(session->open_stream(stream_headers("stdin")));
  if (o.stdout_fd >= 0) stdout_s = TRY(session->open_stream(stream_headers("stdout")));
  if (o.stderr_fd >= 0 && !o.tty) stderr_s = TRY(session->open_stream(stream_headers("stderr")));
  if (o.tty && o.resize && version >= 3) resize_s = TRY(session->open_stream(stream_headers("resize")));

  Canceller stop;
  std::thread input, resize, out, err;
  if (stdin_s)
    input = std::thread([&] {
      (void)copy_to(o.stdin_fd, [&](std::string_view d) { return stdin_s->write(d); }, stop.fd());
      (void)stdin_s->close_write();
    });
  if (resize_s)
    resize = std::thread([&] {
      while (auto s = o.resize->pop())
        if (!resize_s->write(term_size_json(*s))) break;
    });
  if (stdout_s) out = std::thread([&] { (void)copy_fd(stdout_s->read_fd(), o.stdout_fd, -1); });
  if (stderr_s) err = std::thread([&] { (void)copy_fd(stderr_s->read_fd(), o.stderr_fd, -1); });

  std::string error_text;
  (void)copy_to(error_s->read_fd(), [&](std::string_view d) -> Result<void> {
    error_text += d;
    return {};
  }, -1);
  // The server sends the status after all output, then closes the streams.
  if (out.joinable()) out.join();
  if (err.joinable()) err.join();
  stop.cancel();
  if (input.joinable()) input.join();
  if (o.resize) o.resize->close();
  if (resize.joinable()) resize.join();
  bool lost = session->closed() && error_text.empty() && version >= 4;
  session->close();
  if (auto e = session->flow_error(); !e.empty()) return make_error("{}: {}", url, e);
  if (lost) return make_error("{}: the connection ended before the command's status arrived", url);
  return exit_code_from_error_stream(version, error_text);
}

Result<void> port_forward(const std::string &url, uint16_t local_port, uint16_t remote_port,
                          const std::function<void(uint16_t)> &on_listening, const std::atomic<bool> *stop,
                          const TlsClientOptions &tls) {
  Fd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener) return sys_error(errno, "socket");
  int one = 1;
  ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(local_port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(listener.get(), reinterpret_cast<sockaddr *>(&addr), sizeof addr) < 0)
    return sys_error(errno, "bind 127.0.0.1:{}", local_port);
  if (::listen(listener.get(), 16) < 0) return sys_error(errno, "listen on 127.0.0.1:{}", local_port);
  socklen_t len = sizeof addr;
  ::getsockname(listener.get(), reinterpret_cast<sockaddr *>(&addr), &len);

  auto [session, chosen] = TRY(open_spdy(url, {"portforward.k8s.io"}, false, tls));
  if (chosen != "portforward.k8s.io")
    return make_error("{}: the server chose protocol {:?}, not portforward.k8s.io", url, chosen);
  if (on_listening) on_listening(ntohs(addr.sin_port));

  std::mutex mu;
  std::list<std::thread> workers;
  std::list<Fd> conns;
  int request_id = 0;
  while (!(stop && stop->load()) && !session->closed()) {
    pollfd p{listener.get(), POLLIN, 0};
    int r = ::poll(&p, 1, 200);
    if (r <= 0) continue;
    Fd conn(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
    if (!conn) continue;
    std::string rid = std::to_string(request_id++);
    SpdyHeaders h{{"streamtype", "error"}, {"port", std::to_string(remote_port)}, {"requestid", rid}};
    auto error_s = session->open_stream(h);
    if (!error_s) return std::unexpected(error_s.error());
    (void)(*error_s)->close_write();
    h[0].second = "data";
    auto data_s = session->open_stream(h);
    if (!data_s) return std::unexpected(data_s.error());
    int fd;
    {
      std::lock_guard lock(mu);
      conns.push_back(std::move(conn));
      fd = conns.back().get();
    }
    workers.emplace_back([fd, e = *error_s, d = *data_s, remote_port] {
      std::thread down([&] {
        (void)copy_fd(d->read_fd(), fd, -1);
        ::shutdown(fd, SHUT_WR);
      });
      std::thread errors([&] {
        std::string text;
        (void)copy_to(e->read_fd(), [&](std::string_view s) -> Result<void> {
          text += s;
          return {};
        }, -1);
        if (!text.empty()) {
          fmt::print(stderr, "port-forward to port {}: {}\n", remote_port, text);
          ::shutdown(fd, SHUT_RDWR);
        }
      });
      (void)copy_to(fd, [&](std::string_view s) { return d->write(s); }, -1);
      (void)d->close_write();
      down.join();
      errors.join();
    });
  }
  {
    std::lock_guard lock(mu);
    for (auto &c : conns) ::shutdown(c.get(), SHUT_RDWR);
  }
  session->close();
  for (auto &t : workers) t.join();
  return {};
}

}  // namespace berth::crid::streaming
