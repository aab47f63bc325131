#include "crid/streaming/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "crid/log.h"
#include "crid/streaming/http_message.h"
#include "crid/streaming/idle_watch.h"
#include "crid/streaming/port_forward_ws.h"
#include "crid/streaming/relay.h"
#include "crid/streaming/remote_command_server.h"
#include "crid/streaming/websocket_frame.h"

namespace berth::crid::streaming {

namespace {

// Offered by the kubelet's server, newest first.
const char *const kSpdyRemoteCommand[] = {"v4.channel.k8s.io", "v3.channel.k8s.io", "v2.channel.k8s.io",
                                          "channel.k8s.io"};
const char *const kWsRemoteCommand[] = {"v5.channel.k8s.io", "v4.channel.k8s.io", "v4.base64.channel.k8s.io",
                                        "base64.channel.k8s.io", "channel.k8s.io"};

}  // namespace

int remote_command_version(std::string_view p) {
  if (p == "channel.k8s.io" || p == "base64.channel.k8s.io") return 1;
  if (p.size() > 1 && p[0] == 'v' && (p.ends_with(".channel.k8s.io"))) {
    int v = p[1] - '0';
    return v >= 2 && v <= 5 ? v : 0;
  }
  return 0;
}

Server::Server(ServerConfig config, StreamBackend &backend)
    : config_(std::move(config)), backend_(backend), tokens_(config_.token_ttl) {}

Server::~Server() { stop(); }

Result<void> Server::start() {
  // Before binding: a bad certificate is a startup error, not a failure of
  // every stream later.
  if (config_.enable_tls) tls_ = TRY(TlsContext::server(config_.tls));
  sockaddr_storage ss{};
  socklen_t len;
  auto *in4 = reinterpret_cast<sockaddr_in *>(&ss);
  auto *in6 = reinterpret_cast<sockaddr_in6 *>(&ss);
  if (::inet_pton(AF_INET, config_.address.c_str(), &in4->sin_addr) == 1) {
    in4->sin_family = AF_INET;
    in4->sin_port = htons(config_.port);
    len = sizeof *in4;
  } else if (::inet_pton(AF_INET6, config_.address.c_str(), &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
    in6->sin6_port = htons(config_.port);
    len = sizeof *in6;
  } else {
    return make_error("stream address {:?}: not an IPv4 or IPv6 address", config_.address);
  }
  Fd s(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!s) return sys_error(errno, "streaming server socket");
  int one = 1;
  ::setsockopt(s.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(s.get(), reinterpret_cast<sockaddr *>(&ss), len) < 0)
    return sys_error(errno, "bind streaming server to {} port {}", config_.address, config_.port);
  if (::listen(s.get(), 64) < 0) return sys_error(errno, "listen on {} port {}", config_.address, config_.port);
  socklen_t got = sizeof ss;
  ::getsockname(s.get(), reinterpret_cast<sockaddr *>(&ss), &got);
  bound_port_ = ntohs(ss.ss_family == AF_INET ? in4->sin_port : in6->sin6_port);
  listener_ = std::move(s);
  acceptor_ = std::thread([this] { accept_loop(); });
  if (config_.stream_idle_timeout.count() > 0) idle_watcher_ = std::thread([this] { idle_loop(); });
  return {};
}

std::string Server::base_url() const {
  bool v6 = config_.address.find(':') != std::string::npos;
  return fmt::format("{}://{}{}{}:{}", tls_ ? "https" : "http", v6 ? "[" : "", config_.address, v6 ? "]" : "", bound_port_);
}

std::string Server::url_for(StreamRequest request) {
  const char *path = stream_kind_path(request.kind);
  std::string token = tokens_.issue(std::move(request));
  return fmt::format("{}/{}/{}", base_url(), path, token);
}

void Server::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    if (listener_) ::shutdown(listener_.get(), SHUT_RDWR);
    for (auto &c : connections_) ::shutdown(c.fd, SHUT_RDWR);
  }
  stop_cv_.notify_all();
  if (acceptor_.joinable()) acceptor_.join();
  if (idle_watcher_.joinable()) idle_watcher_.join();
  std::list<Connection> left;
  {
    std::lock_guard lock(mu_);
    left.swap(connections_);
  }
  for (auto &c : left)
    if (c.thread.joinable()) c.thread.join();
  listener_.reset();
}

void Server::accept_loop() {
  while (true) {
    int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      std::lock_guard lock(mu_);
      if (!stopping_) log::error("streaming server: accept: {}", std::strerror(errno));
      return;
    }
    std::lock_guard lock(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    // Reap finished connection threads as new ones come.
    for (auto it = connections_.begin(); it != connections_.end();) {
      if (it->done) {
        it->thread.join();
        it = connections_.erase(it);
      } else {
        ++it;
      }
    }
    auto &c = connections_.emplace_back();
    c.fd = fd;
    c.thread = std::thread([this, fd, &c] {
      if (tls_) serve_tls(Fd(fd));
      else serve(Fd(fd));
      std::lock_guard lock(mu_);
      c.done = true;
      c.fd = -1;
    });
  }
}

void Server::idle_loop() {
  auto interval = idle_check_interval(config_.stream_idle_timeout);
  std::unique_lock lock(mu_);
  while (!stop_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    for (auto &c : connections_) {
      if (c.done || c.fd < 0) continue;
      auto idle = tcp_idle_time(c.fd);
      if (!idle || *idle < config_.stream_idle_timeout) continue;
      log::info("streaming: closing a connection idle for {}s (stream_idle_timeout {}s)",
                std::chrono::duration_cast<std::chrono::seconds>(*idle).count(),
                std::chrono::duration_cast<std::chrono::seconds>(config_.stream_idle_timeout).count());
      // Ends the session as if the client had left; the connection's thread cleans up.
      ::shutdown(c.fd, SHUT_RDWR);
      c.fd = -1;
    }
  }
}

// The connection's TCP socket stays here (and in connections_, for the idle
// watch and stop()); the session code gets a socketpair end, as if plain.
void Server::serve_tls(Fd tcp) {
  auto ssl = tls_accept(*tls_, tcp.get(), config_.idle_timeout);
  if (!ssl) {
    log::debug("streaming: TLS: {}", ssl.error().message);
    return;
  }
  auto pair = make_socketpair();
  if (!pair) {
    log::warning("streaming: {}", pair.error().message);
    return;
  }
  Fd relay_end = std::move(pair->first);
  std::thread relay([&] {
    tls_relay(ssl->get(), tcp.get(), relay_end.get());
    relay_end.reset();
  });
  serve(std::move(pair->second));
  relay.join();
}

void Server::serve(Fd conn) {
  std::string extra;
  auto head = read_http_head(conn.get(), false, extra, config_.idle_timeout);
  if (!head) {
    (void)write_all(conn.get(), http_error_response(400, "Bad Request", head.error().message));
    return;
  }
  auto reply = [&](int status, const char *reason, std::string_view body) {
    (void)write_all(conn.get(), http_error_response(status, reason, body));
  };
  std::string_view path = head->path();
  StreamKind kind;
  std::string_view rest;
  if (path.starts_with("/exec/")) kind = StreamKind::exec, rest = path.substr(6);
  else if (path.starts_with("/attach/")) kind = StreamKind::attach, rest = path.substr(8);
  else if (path.starts_with("/portforward/")) kind = StreamKind::port_forward, rest = path.substr(13);
  else return reply(404, "Not Found", fmt::format("no such streaming endpoint: {}", path));
  if (head->method != "GET" && head->method != "POST")
    return reply(405, "Method Not Allowed", fmt::format("{} not allowed on {}", head->method, path));
  auto request = tokens_.take(std::string(rest));
  if (!request) return reply(404, "Not Found", request.error().message);
  if (request->kind != kind)
    return reply(404, "Not Found", fmt::format("the token is for {}, not {}", stream_kind_path(request->kind), stream_kind_path(kind)));

  std::string upgrade(head->header("Upgrade"));
  Result<void> served;
  if (iequals(upgrade, "SPDY/3.1")) {
    auto offered = head->header_list("X-Stream-Protocol-Version");
    std::string chosen;
    if (kind == StreamKind::port_forward) {
      if (offered.empty() || std::ranges::find(offered, "portforward.k8s.io") != offered.end())
        chosen = "portforward.k8s.io";
    } else if (offered.empty()) {
      chosen = "channel.k8s.io";
    } else {
      for (const auto &o : offered)
        if (std::ranges::find(kSpdyRemoteCommand, o) != std::end(kSpdyRemoteCommand)) {
          chosen = o;
          break;
        }
    }
    if (chosen.empty())
      return reply(403, "Forbidden", fmt::format("unable to upgrade: none of the offered protocols is supported: {}",
                                                 fmt::join(offered, ", ")));
    (void)write_all(conn.get(), fmt::format("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                                            "Upgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: {}\r\n\r\n",
                                            chosen));
    if (kind == StreamKind::port_forward)
      served = serve_port_forward_spdy(std::move(conn), std::move(extra), *request, backend_);
    else
      served = serve_remote_command_spdy(std::move(conn), std::move(extra), remote_command_version(chosen),
                                         *request, backend_);
  } else if (iequals(upgrade, "websocket")) {
    std::string key(head->header("Sec-WebSocket-Key"));
    if (key.empty()) return reply(400, "Bad Request", "WebSocket upgrade without Sec-WebSocket-Key");
    auto offered = head->header_list("Sec-WebSocket-Protocol");
    if (kind == StreamKind::port_forward) {
      auto ports = ws_port_forward_ports(head->target);
      if (!ports) return reply(400, "Bad Request", ports.error().message);
      std::string chosen;
      for (const auto &o : offered)
        if (std::ranges::find(kWsPortForwardProtocols, o) != std::end(kWsPortForwardProtocols)) {
          chosen = o;
          break;
        }
      if (chosen.empty() && !offered.empty())
        return reply(400, "Bad Request", fmt::format("none of the offered WebSocket protocols is supported: {}",
                                                     fmt::join(offered, ", ")));
      // No protocol offered: binary framing, and no protocol named in the answer.
      (void)write_all(conn.get(), fmt::format("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                              "Connection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n{}\r\n",
                                              ws_accept_key(key),
                                              chosen.empty() ? "" : fmt::format("Sec-WebSocket-Protocol: {}\r\n", chosen)));
      served = serve_port_forward_ws(std::move(conn), std::move(extra), chosen.find("base64") != std::string::npos,
                                     *ports, *request, backend_);
      if (!served) log::warning("streaming: portforward {}: {}", request->id, served.error().message);
      return;
    }
    std::string chosen;
    for (const auto &o : offered)
      if (std::ranges::find(kWsRemoteCommand, o) != std::end(kWsRemoteCommand)) {
        chosen = o;
        break;
      }
    if (chosen.empty() && !offered.empty())
      return reply(400, "Bad Request", fmt::format("none of the offered WebSocket protocols is supported: {}",
                                                   fmt::join(offered, ", ")));
    if (chosen.empty()) chosen = "channel.k8s.io";
    (void)write_all(conn.get(), fmt::format("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                            "Connection: Upgrade\r\nSec-WebSocket-Accept: {}\r\n"
                                            "Sec-WebSocket-Protocol: {}\r\n\r\n",
                                            ws_accept_key(key), chosen));
    bool base64 = chosen.find("base64") != std::string::npos;
    served = serve_remote_command_ws(std::move(conn), std::move(extra), remote_command_version(chosen), base64,
                                     *request, backend_);
  } else {
    return reply(400, "Bad Request", "streaming needs an upgrade to SPDY/3.1 or websocket");
  }
  if (!served) log::warning("streaming: {} {}: {}", stream_kind_path(kind), request->id, served.error().message);
}

}  // namespace berth::crid::streaming
