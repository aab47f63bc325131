#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>


#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "crid/streaming/tls.h"

namespace berth::crid::streaming {

namespace {

// Bytes held per direction before the relay stops reading that side: the
// slow side's backpressure reaches the fast one.
constexpr size_t kMaxBuffered = 256 * 1024;

}  // namespace

// How long a connection whose session is over may take to close its side.
constexpr std::chrono::milliseconds kCloseGrace{2000};

void finish_tcp(int tcp, std::chrono::milliseconds grace) {
  ::shutdown(tcp, SHUT_WR);
  auto until = std::chrono::steady_clock::now() + grace;
  char buf[16 * 1024];
  while (true) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0) return;
    pollfd p{tcp, POLLIN, 0};
    int r = ::poll(&p, 1, int(left.count()));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return;
    ssize_t n = ::recv(tcp, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) return;
  }
}

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
  // A write that would block is retried from `up`, which may have grown (and
  // moved) meanwhile; without these modes OpenSSL fails such a retry (bad
  // write retry) and the rest of the stream would be lost.
  libssl().SSL_ctrl(ssl, SSL_CTRL_MODE, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER, nullptr);

  std::string down;  // decrypted, for plain
  std::string up;    // from plain, to encrypt
  bool tls_eof = false;     // the peer sent close_notify (or its TCP side ended)
  bool tls_broken = false;  // nothing more can be written to the peer
  bool plain_shut = false;  // SHUT_WR passed on to plain
  bool plain_eof = false;   // plain's writer is done
  bool sent_close = false;  // close_notify sent
  bool plain_closed = false;  // plain is gone for reading too
  char buf[16 * 1024];
  while (true) {
    short tcp_events = 0, plain_events = 0;
    bool progress;
    do {
      progress = false;
      tcp_events = plain_events = 0;
      if (!tls_eof && down.size() < kMaxBuffered) {
        libssl().ERR_clear_error();
        int n = libssl().SSL_read(ssl, buf, sizeof buf);
        if (n > 0) {
          down.append(buf, size_t(n));
          progress = true;
        } else {
          int err = libssl().SSL_get_error(ssl, n);
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
      if (plain_closed) down.clear();
      if (!down.empty()) {
        ssize_t n = ::send(plain, down.data(), down.size(), MSG_NOSIGNAL);
        if (n > 0) {
          down.erase(0, size_t(n));
          progress = true;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
          plain_events |= POLLOUT;
        } else {
          // plain is closed altogether: what the peer still sends (a SPDY
          // window update, say) has nobody to go to and is dropped, but what
          // plain wrote before it closed is still sent on below.
          plain_closed = true;
          down.clear();
          progress = true;
        }
      }
      if (tls_eof && down.empty() && !plain_shut && !plain_closed) {
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
        libssl().ERR_clear_error();
        int n = libssl().SSL_write(ssl, up.data(), int(up.size()));
        if (n > 0) {
          up.erase(0, size_t(n));
          progress = true;
        } else {
          int err = libssl().SSL_get_error(ssl, n);
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
        // With the send buffer full the close_notify cannot go yet: it is
        // retried when the socket is writable, and SHUT_WR waits for it, or
        // the peer would see a truncated stream instead of a clean end.
        bool notify_pending = false;
        if (!tls_broken) {
          libssl().ERR_clear_error();
          int n = libssl().SSL_shutdown(ssl);
          if (n < 0 && libssl().SSL_get_error(ssl, n) == SSL_ERROR_WANT_WRITE) {
            tcp_events |= POLLOUT;
            notify_pending = true;
          }
        }
        if (!notify_pending) {
          ::shutdown(tcp, SHUT_WR);
          sent_close = true;
          progress = true;
        }
      }
    } while (progress);
    if (tls_eof && (plain_shut || plain_closed) && (sent_close || tls_broken)) {
      finish_tcp(tcp, kCloseGrace);
      return;
    }
    pollfd p[2] = {{tcp, tcp_events, 0}, {plain, plain_events, 0}};
    int r = ::poll(p, 2, -1);
    if (r < 0 && errno != EINTR) return;
    // The plain side closed altogether (not just its writing half) and all it
    // wrote went out: nobody is left to read what the peer might still send.
    // The peer's close_notify (and anything else it still sends) is read and
    // dropped before the socket closes, so that no reset cuts off what it has
    // not read yet.
    if ((p[1].revents & POLLHUP) && sent_close) {
      finish_tcp(tcp, kCloseGrace);
      return;
    }
    // A TCP error with nothing asked of it (an idle watch's shutdown, a reset).
    if ((p[0].revents & (POLLERR | POLLNVAL)) && tcp_events == 0) return;
  }
}

namespace {

// A client (cridctl, a test tool) returns from main as soon as it has read
// the end of the stream, while its relay is still closing the connection.
// OpenSSL's exit handler then tears down the per-thread state a relay
// still uses, and a relay that ends after it leaves that state behind. So
// the exit waits for the relays to end: briefly, since closing the plain end
// (main's descriptors are closed by then) ends them within kCloseGrace.
class ClientRelays {
 public:
  void started() {
    std::lock_guard lock(mu_);
    ++running_;
  }
  void ended() {
    // Frees this thread's OpenSSL state now, while OpenSSL is still whole.
    libssl().OPENSSL_thread_stop();
    std::lock_guard lock(mu_);
    --running_;
    done_.notify_all();
  }
  void wait_for_all(std::chrono::milliseconds limit) {
    std::unique_lock lock(mu_);
    done_.wait_for(lock, limit, [this] { return running_ == 0; });
  }

 private:
  std::mutex mu_;
  std::condition_variable done_;
  int running_ = 0;
};

// Made on the first connection, after OpenSSL set up its exit handler, so
// that the wait runs before that handler. The registry itself is never
// destroyed: a relay that outlives the wait still reports to it.
ClientRelays &client_relays() {
  static ClientRelays *relays = new ClientRelays;
  static struct WaitAtExit {
    ~WaitAtExit() { relays->wait_for_all(kCloseGrace + std::chrono::milliseconds(500)); }
  } wait_at_exit;
  return *relays;
}

}  // namespace

Result<Fd> tls_client_channel(Fd tcp, SslPtr ssl) {
  auto [mine, theirs] = TRY(make_socketpair());
  ClientRelays &relays = client_relays();
  relays.started();
  // Owns everything it touches and ends when either side does; the
  // caller sees the end of the connection on the descriptor.
  std::thread([tcp = std::move(tcp), ssl = std::move(ssl), plain = std::move(mine), &relays]() mutable {
    tls_relay(ssl.get(), tcp.get(), plain.get());
    ssl.reset();
    tcp = Fd();
    plain = Fd();
    relays.ended();
  }).detach();
  return std::move(theirs);
}

}  // namespace berth::crid::streaming
