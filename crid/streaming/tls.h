// TLS for the streaming server and its clients (stream_enable_tls), kept
// outside the protocol code: after the handshake a relay moves bytes between
// the TLS connection and one end of a socketpair, and the SPDY and WebSocket
// code gets the other end as if it were the plain connection. The TCP socket
// itself stays with the server, so the idle watch (TCP_INFO) and stop()
// (shutdown) keep working on it unchanged.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <utility>

#include "crid/streaming/libssl.h"

#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::crid::streaming {

// The server's files, as CRI-O names the settings: stream_tls_cert,
// stream_tls_key, and stream_tls_ca (when set, clients must present a
// certificate that it signed).
struct TlsServerFiles {
  std::string cert;
  std::string key;
  std::string ca;
};

// How a client trusts the server (kubectl's --certificate-authority and
// --insecure-skip-tls-verify) and, for a server with stream_tls_ca, who it is
// (--client-certificate, --client-key).
struct TlsClientOptions {
  std::string ca_file;  // empty: the system's trust store
  bool insecure_skip_verify = false;
  std::string cert_file;
  std::string key_file;
};

struct SslFree {
  void operator()(SSL *s) const { libssl().SSL_free(s); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

class TlsContext {
 public:
  // Errors name the file that could not be read, or say the key does not
  // belong to the certificate.
  static Result<TlsContext> server(const TlsServerFiles &files);
  static Result<TlsContext> client(const TlsClientOptions &options);
  SSL_CTX *get() const { return ctx_.get(); }

 private:
  std::shared_ptr<SSL_CTX> ctx_;
};

// The server's half of the handshake on a connected socket, within timeout.
// A client that speaks plain HTTP gets a 400 saying the port wants TLS.
Result<SslPtr> tls_accept(const TlsContext &ctx, int tcp, std::chrono::milliseconds timeout);

// The client's half: checks the server's certificate against host (an IP
// address or a DNS name) unless the context skips verification.
Result<SslPtr> tls_connect(const TlsContext &ctx, int tcp, const std::string &host);

// Moves bytes both ways between ssl (over tcp) and plain until both
// directions have ended, passing half-closes on (close_notify <-> SHUT_WR).
// Returns when either side fails or plain is closed and tcp has nothing more.
void tls_relay(SSL *ssl, int tcp, int plain);

// Ends our side of a TCP connection without losing what we sent: half-close,
// then read and drop what the peer still sends until it closes too (or the
// grace period passes). A close() with unread input sends a reset, and a
// reset makes the peer's kernel drop the data it has not read yet.
void finish_tcp(int tcp, std::chrono::milliseconds grace);

// A connected AF_UNIX stream pair, both ends close-on-exec.
Result<std::pair<Fd, Fd>> make_socketpair();

// A client connection over TLS: the relay runs on a thread of its own that
// owns tcp and ssl, and the returned descriptor is the plain end.
Result<Fd> tls_client_channel(Fd tcp, SslPtr ssl);

}  // namespace berth::crid::streaming
