#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>

#include <cerrno>
#include <thread>

#include "crid/streaming/tls.h"

namespace berth::crid::streaming {

namespace {

// Bytes held per direction before the relay stops reading that side: the
// slow side's backpressure reaches the fast one.
constexpr size_t kMaxBuffered = 256 * 1024;

}  // namespace

Result<std::pair<Fd, Fd>> make_socketpair() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return sys_error(errno, "socketpair");
  return std::pair<Fd, Fd>{Fd(sv[0]), Fd(sv[1])};
}

void tls_relay(SSL *ssl, int tcp, int plain) {
  // OpenSSL writes the socket with write(): a peer that left must not kill
  // the process. Blocked here, SIGPIPE stays pending on this thread only.
  sigset_t pipe_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, nullptr);
  ::fcntl(plain, F_SETFL, ::fcntl(plain, F_GETFL) | O_NONBLOCK);

  std::string down;  // decrypted, for plain
  std::string up;    // from plain, to encrypt
  bool tls_eof = false;     // the peer sent close_notify (or its TCP side ended)
  bool tls_broken = false;  // nothing more can be written to the peer
  bool plain_shut = false;  // SHUT_WR passed on to plain
  bool plain_eof = false;   // plain's writer is done
  bool sent_close = false;  // close_notify sent
  char buf[16 * 1024];
  while (true) {
    short tcp_events = 0, plain_events = 0;
    bool progress;
    do {
      progress = false;
      tcp_events = plain_events = 0;
      if (!tls_eof && down.size() < kMaxBuffered) {
        ERR_clear_error();
        int n = SSL_read(ssl, buf, sizeof buf);
        if (n > 0) {
          down.append(buf, size_t(n));
          progress = true;
        } else {
          int err = SSL_get_error(ssl, n);
          if (err == SSL_ERROR_WANT_READ) tcp_events |= POLLIN;
          else if (err == SSL_ERROR_WANT_WRITE) tcp_events |= POLLOUT;
          else {
            // ZERO_RETURN is a proper close_notify; anything else (a bare
            // TCP close, a reset, a bad record) ends the connection.
            tls_eof = true;
            tls_broken = err != SSL_ERROR_ZERO_RETURN;
            progress = true;
          }
        }
      }
      if (!down.empty()) {
        ssize_t n = ::send(plain, down.data(), down.size(), MSG_NOSIGNAL);
        if (n > 0) {
          down.erase(0, size_t(n));
          progress = true;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
          plain_events |= POLLOUT;
        } else {
          return;  // plain is closed altogether: nobody left to deliver to
        }
      }
      if (tls_eof && down.empty() && !plain_shut) {
        ::shutdown(plain, SHUT_WR);
        plain_shut = true;
        progress = true;
      }
      if (!plain_eof && up.size() < kMaxBuffered) {
        ssize_t n = ::recv(plain, buf, sizeof buf, 0);
        if (n > 0) {
          up.append(buf, size_t(n));
          progress = true;
        } else if (n == 0) {
          plain_eof = true;
          progress = true;
        } else if (errno == EAGAIN || errno == EINTR) {
          plain_events |= POLLIN;
        } else {
          plain_eof = true;
          progress = true;
        }
      }
      if (tls_broken) up.clear();
      if (!up.empty()) {
        ERR_clear_error();
        int n = SSL_write(ssl, up.data(), int(up.size()));
        if (n > 0) {
          up.erase(0, size_t(n));
          progress = true;
        } else {
          int err = SSL_get_error(ssl, n);
          if (err == SSL_ERROR_WANT_WRITE) tcp_events |= POLLOUT;
          else if (err == SSL_ERROR_WANT_READ) tcp_events |= POLLIN;
          else {
            tls_broken = true;
            up.clear();
            progress = true;
          }
        }
      }
      if (plain_eof && up.empty() && !sent_close) {
        // Half-close, as a plain connection's SHUT_WR: the peer may still send.
        if (!tls_broken) {
          ERR_clear_error();
          SSL_shutdown(ssl);
        }
        ::shutdown(tcp, SHUT_WR);
        sent_close = true;
        progress = true;
      }
    } while (progress);
    if (tls_eof && plain_shut && (sent_close || tls_broken)) return;
    pollfd p[2] = {{tcp, tcp_events, 0}, {plain, plain_events, 0}};
    int r = ::poll(p, 2, -1);
    if (r < 0 && errno != EINTR) return;
    // The plain side closed altogether (not just its writing half) and all it
    // wrote went out: nobody is left to read what the peer might still send.
    if ((p[1].revents & POLLHUP) && sent_close) return;
    // A TCP error with nothing asked of it (an idle watch's shutdown, a reset).
    if ((p[0].revents & (POLLERR | POLLNVAL)) && tcp_events == 0) return;
  }
}

Result<Fd> tls_client_channel(Fd tcp, SslPtr ssl) {
  auto [mine, theirs] = TRY(make_socketpair());
  // Owns everything it touches and ends when either side does; the
  // caller sees the end of the connection on the descriptor.
  std::thread([tcp = std::move(tcp), ssl = std::move(ssl), plain = std::move(mine)]() mutable {
    tls_relay(ssl.get(), tcp.get(), plain.get());
  }).detach();
  return std::move(theirs);
}

}  // namespace berth::crid::streaming
