#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>

#include "crid/streaming/http_message.h"
#include "crid/streaming/tls.h"

namespace berth::crid::streaming {

namespace {

// OpenSSL's reason for the last failure on this thread, and an empty queue.
std::string openssl_reason() {
  unsigned long last = 0;
  while (unsigned long e = libssl().ERR_get_error()) last = e;
  if (last == 0) return "unknown TLS error";
  const char *reason = libssl().ERR_reason_error_string(last);
  return reason ? reason : fmt::format("TLS error {:#x}", last);
}

// Reading the file ourselves first gives the errno a missing or unreadable
// file deserves; OpenSSL's own message would only say "system lib".
Result<void> readable(const std::string &path, std::string_view setting) {
  if (path.empty()) return make_error("{}: no file given", setting);
  Fd f(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!f) return sys_error(errno, "{} {}", setting, path);
  return {};
}

Result<void> set_nonblocking(int fd) {
  int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0 || ::fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) return sys_error(errno, "set O_NONBLOCK");
  return {};
}

// Waits for what the last TLS call asked for, until deadline.
Result<void> wait_for(SSL *ssl, int rc, int tcp, std::chrono::steady_clock::time_point deadline,
                      std::string_view what) {
  int err = libssl().SSL_get_error(ssl, rc);
  short events;
  if (err == SSL_ERROR_WANT_READ) events = POLLIN;
  else if (err == SSL_ERROR_WANT_WRITE) events = POLLOUT;
  else if (err == SSL_ERROR_SYSCALL && libssl().ERR_peek_error() == 0)
    return make_error("{}: the connection closed during the TLS handshake", what);
  else {
    long verify = libssl().SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      libssl().ERR_clear_error();
      return make_error("{}: certificate verify failed: {}", what, libssl().X509_verify_cert_error_string(verify));
    }
    return make_error("{}: TLS handshake: {}", what, openssl_reason());
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return make_error("{}: TLS handshake timed out", what);
  pollfd p{tcp, events, 0};
  int r = ::poll(&p, 1, int(left.count()));
  if (r < 0 && errno != EINTR) return sys_error(errno, "{}: poll", what);
  return {};
}

SSL_CTX *new_ctx(const SSL_METHOD *method) {
  SSL_CTX *ctx = libssl().SSL_CTX_new(method);
  if (!ctx) return nullptr;
  libssl().SSL_CTX_ctrl(ctx, SSL_CTRL_SET_MIN_PROTO_VERSION, TLS1_2_VERSION, nullptr);
  // The relay hands SSL_write a growing std::string whose storage may move.
  libssl().SSL_CTX_ctrl(ctx, SSL_CTRL_MODE, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, nullptr);
  return ctx;
}

}  // namespace

Result<TlsContext> TlsContext::server(const TlsServerFiles &files) {
  TRY(readable(files.cert, "stream_tls_cert"));
  TRY(readable(files.key, "stream_tls_key"));
  if (!files.ca.empty()) TRY(readable(files.ca, "stream_tls_ca"));
  TRY(load_libssl());
  TlsContext c;
  c.ctx_.reset(new_ctx(libssl().TLS_server_method()), libssl().SSL_CTX_free);
  if (!c.ctx_) return make_error("create a TLS context: {}", openssl_reason());
  SSL_CTX *ctx = c.ctx_.get();
  // Key before certificate: OpenSSL 3 refuses a key that does not match a
  // certificate already loaded as "key values mismatch", which would read as
  // a malformed key; loaded the other way round, the mismatch reaches the
  // check below and is reported as what it is.
  if (libssl().SSL_CTX_use_PrivateKey_file(ctx, files.key.c_str(), SSL_FILETYPE_PEM) != 1)
    return make_error("stream_tls_key {}: not a PEM private key: {}", files.key, openssl_reason());
  if (libssl().SSL_CTX_use_certificate_chain_file(ctx, files.cert.c_str()) != 1)
    return make_error("stream_tls_cert {}: not a PEM certificate: {}", files.cert, openssl_reason());
  if (libssl().SSL_CTX_check_private_key(ctx) != 1) {
    libssl().ERR_clear_error();
    return make_error("stream_tls_key {} does not match the certificate in stream_tls_cert {}", files.key, files.cert);
  }
  if (!files.ca.empty()) {
    if (libssl().SSL_CTX_load_verify_locations(ctx, files.ca.c_str(), nullptr) != 1)
      return make_error("stream_tls_ca {}: no PEM certificates: {}", files.ca, openssl_reason());
    if (STACK_OF(X509_NAME) *names = libssl().SSL_load_client_CA_file(files.ca.c_str()))
      libssl().SSL_CTX_set_client_CA_list(ctx, names);
    // As CRI-O with stream_tls_ca: a client without a certificate the CA signed is refused.
    libssl().SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  return c;
}

Result<TlsContext> TlsContext::client(const TlsClientOptions &o) {
  TRY(load_libssl());
  TlsContext c;
  c.ctx_.reset(new_ctx(libssl().TLS_client_method()), libssl().SSL_CTX_free);
  if (!c.ctx_) return make_error("create a TLS context: {}", openssl_reason());
  SSL_CTX *ctx = c.ctx_.get();
  if (o.insecure_skip_verify) {
    libssl().SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
  } else {
    libssl().SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
    if (!o.ca_file.empty()) {
      TRY(readable(o.ca_file, "certificate authority"));
      if (libssl().SSL_CTX_load_verify_locations(ctx, o.ca_file.c_str(), nullptr) != 1)
        return make_error("certificate authority {}: no PEM certificates: {}", o.ca_file, openssl_reason());
    } else if (libssl().SSL_CTX_set_default_verify_paths(ctx) != 1) {
      return make_error("load the system's trusted certificates: {}", openssl_reason());
    }
  }
  if (!o.cert_file.empty() || !o.key_file.empty()) {
    TRY(readable(o.cert_file, "client certificate"));
    TRY(readable(o.key_file, "client key"));
    // Key first, as for the server's files: a mismatch is then reported as one.
    if (libssl().SSL_CTX_use_PrivateKey_file(ctx, o.key_file.c_str(), SSL_FILETYPE_PEM) != 1)
      return make_error("client key {}: {}", o.key_file, openssl_reason());
    if (libssl().SSL_CTX_use_certificate_chain_file(ctx, o.cert_file.c_str()) != 1)
      return make_error("client certificate {}: {}", o.cert_file, openssl_reason());
    if (libssl().SSL_CTX_check_private_key(ctx) != 1) {
      libssl().ERR_clear_error();
      return make_error("client key {} does not match the client certificate {}", o.key_file, o.cert_file);
    }
  }
  return c;
}

Result<SslPtr> tls_accept(const TlsContext &ctx, int tcp, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  TRY(set_nonblocking(tcp));
  // A TLS connection opens with a handshake record (0x16); a request line
  // opens with a letter. Such a client gets told, as Go's servers tell it,
  // rather than a handshake failure it cannot read.
  pollfd p{tcp, POLLIN, 0};
  if (::poll(&p, 1, int(timeout.count())) <= 0) return make_error("no TLS handshake within {}s", timeout.count() / 1000);
  unsigned char first = 0;
  if (::recv(tcp, &first, 1, MSG_PEEK) == 1 && first >= 'A' && first <= 'Z') {
    constexpr std::string_view kReply =
        "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n"
        "Client sent an HTTP request to an HTTPS server.\n";
    (void)::send(tcp, kReply.data(), kReply.size(), MSG_NOSIGNAL);
    finish_tcp(tcp, std::chrono::milliseconds(1000));
    return make_error("a plain HTTP request on the TLS port");
  }
  SslPtr ssl(libssl().SSL_new(ctx.get()));
  if (!ssl) return make_error("TLS: {}", openssl_reason());
  libssl().SSL_set_fd(ssl.get(), tcp);
  while (true) {
    libssl().ERR_clear_error();
    int rc = libssl().SSL_accept(ssl.get());
    if (rc == 1) return ssl;
    TRY(wait_for(ssl.get(), rc, tcp, deadline, "client"));
  }
}

Result<SslPtr> tls_connect(const TlsContext &ctx, int tcp, const std::string &host) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  TRY(set_nonblocking(tcp));
  SslPtr ssl(libssl().SSL_new(ctx.get()));
  if (!ssl) return make_error("TLS: {}", openssl_reason());
  libssl().SSL_set_fd(ssl.get(), tcp);
  unsigned char addr[16];
  bool is_ip = ::inet_pton(AF_INET, host.c_str(), addr) == 1 || ::inet_pton(AF_INET6, host.c_str(), addr) == 1;
  if (is_ip) {
    libssl().X509_VERIFY_PARAM_set1_ip_asc(libssl().SSL_get0_param(ssl.get()), host.c_str());
  } else {
    libssl().SSL_ctrl(ssl.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char *>(host.c_str()));
    libssl().SSL_set1_host(ssl.get(), host.c_str());
  }
  std::string what = fmt::format("TLS connection to {}", host);
  while (true) {
    libssl().ERR_clear_error();
    int rc = libssl().SSL_connect(ssl.get());
    if (rc == 1) return ssl;
    TRY(wait_for(ssl.get(), rc, tcp, deadline, what));
  }
}

}  // namespace berth::crid::streaming
