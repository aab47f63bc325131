#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crid/streaming/client.h"

namespace berth::crid::streaming {

Result<ParsedUrl> parse_stream_url(const std::string &url) {
  std::string_view u = url;
  ParsedUrl p;
  if (u.starts_with("https://")) {
    p.tls = true;
    p.port = 443;
    u.remove_prefix(8);
  } else if (u.starts_with("http://")) {
    u.remove_prefix(7);
  } else {
    return make_error("streaming URL {:?}: only http:// and https:// URLs are supported", url);
  }
  size_t slash = u.find('/');
  std::string_view authority = u.substr(0, slash);
  p.target = slash == std::string_view::npos ? "/" : std::string(u.substr(slash));
  std::string_view port;
  if (authority.starts_with('[')) {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return make_error("streaming URL {:?}: unterminated IPv6 address", url);
    p.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else {
    size_t colon = authority.rfind(':');
    p.host = authority.substr(0, colon);
    if (colon != std::string_view::npos) port = authority.substr(colon + 1);
  }
  if (!port.empty()) {
    int n = std::atoi(std::string(port).c_str());
    if (n <= 0 || n > 65535) return make_error("streaming URL {:?}: bad port", url);
    p.port = uint16_t(n);
  }
  return p;
}

Result<Fd> connect_tcp(const std::string &host, uint16_t port) {
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo *res = nullptr;
  std::string service = std::to_string(port);
  int rc = ::getaddrinfo(host.c_str(), service.c_str(), &hints, &res);
  if (rc != 0) return make_error("resolve {}: {}", host, ::gai_strerror(rc));
  int err = 0;
  for (addrinfo *ai = res; ai; ai = ai->ai_next) {
    Fd s(::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol));
    if (!s) {
      err = errno;
      continue;
    }
    if (::connect(s.get(), ai->ai_addr, ai->ai_addrlen) == 0) {
      ::freeaddrinfo(res);
      return s;
    }
    err = errno;
  }
  ::freeaddrinfo(res);
  return sys_error(err, "connect to {} port {}", host, port);
}

}  // namespace berth::crid::streaming

#include "crid/streaming/http_message.h"
#include "crid/streaming/status_json.h"

namespace berth::crid::streaming {

Result<int> run_remote_command(const std::string &url, const RemoteCommandOptions &options) {
  if (options.protocol == ClientProtocol::websocket) return run_remote_command_ws(url, options);
  return run_remote_command_spdy(url, options);
}

Result<Fd> upgrade_connection(const std::string &url, const std::vector<std::pair<std::string, std::string>> &headers,
                              HttpHead &response, std::string &extra, const TlsClientOptions &tls) {
  ParsedUrl u = TRY(parse_stream_url(url));
  Fd sock = TRY(connect_tcp(u.host, u.port));
  if (u.tls) {
    TlsContext ctx = TRY(TlsContext::client(tls));
    SslPtr ssl = TRY(tls_connect(ctx, sock.get(), u.host));
    sock = TRY(tls_client_channel(std::move(sock), std::move(ssl)));
  }
  std::string req = fmt::format("GET {} HTTP/1.1\r\nHost: {}:{}\r\nConnection: Upgrade\r\n", u.target, u.host, u.port);
  for (const auto &[k, v] : headers) req += fmt::format("{}: {}\r\n", k, v);
  req += "\r\n";
  TRY_CTX(write_all(sock.get(), req), fmt::format("send upgrade request to {}", u.host));
  response = TRY_CTX(read_http_head(sock.get(), true, extra), fmt::format("upgrade {}", url));
  if (response.status == 101) return sock;
  // A refusal: the body says why; read it to its length (the server closes after).
  std::string body = extra;
  size_t want = size_t(std::atol(std::string(response.header("Content-Length")).c_str()));
  char buf[4096];
  while (body.size() < want) {
    ssize_t n = ::read(sock.get(), buf, sizeof buf);
    if (n <= 0) break;
    body.append(buf, size_t(n));
  }
  while (!body.empty() && (body.back() == '\n' || body.back() == '\r')) body.pop_back();
  return make_error("{}: {} {}: {}", url, response.status, response.reason, body);
}

Result<int> exit_code_from_error_stream(int version, std::string_view text) {
  if (text.empty()) return 0;
  if (version >= 4) return exit_code_from_status(text);
  // Older protocols send only the message: "... exit status N" when it exited non-zero.
  auto at = text.rfind("exit status ");
  if (at != std::string_view::npos) {
    int code = std::atoi(std::string(text.substr(at + 12)).c_str());
    if (code > 0) return code;
  }
  return make_error("{}", std::string(text));
}

}  // namespace berth::crid::streaming
