#include "crid/rpc/server.h"

#include <fcntl.h>
#include <nghttp2/nghttp2.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "crid/log.h"
#include "crid/rpc/wire.h"
#include "libcontainer/fd.h"

namespace berth::crid::rpc {

namespace {

using Clock = std::chrono::steady_clock;

// epoll data of the two fds that are not connections; connections count from kFirstConnection.
constexpr uint64_t kListenKey = 0;
constexpr uint64_t kWakeKey = 1;
constexpr uint64_t kFirstConnection = 2;

nghttp2_nv header(std::string_view name, std::string_view value) {
  return {reinterpret_cast<uint8_t *>(const_cast<char *>(name.data())),
          reinterpret_cast<uint8_t *>(const_cast<char *>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

std::string peer_of(int fd) {
  ucred cred{};
  socklen_t len = sizeof cred;
  if (::getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0 && cred.pid > 0)
    return fmt::format("unix:pid={},uid={}", cred.pid, cred.uid);
  return "unix:";
}

}  // namespace

class Call;

struct Server::Impl {
  ServerOptions options;
  std::map<std::string, Handler, std::less<>> methods;
  int listen_fd = -1;
  Fd epoll;
  Fd wake;
  std::thread thread;
  nghttp2_session_callbacks *callbacks = nullptr;

  // Held by whichever thread touches connections and their sessions: the
  // connection thread while it handles events, a handler's thread while it
  // sends what its call queued (send_now).
  std::mutex io_mu;
  struct Connection;
  std::map<uint64_t, std::unique_ptr<Connection>> connections;
  uint64_t next_key = kFirstConnection;
  bool accepting = true;
  bool stopping = false;

  // Shared with handler threads.
  std::mutex mu;
  std::vector<std::function<void()>> commands;  // work for the connection thread
  std::condition_variable handlers_done;
  size_t running = 0;

  void send_now(const std::shared_ptr<Call> &call);
  void post(std::function<void()> command);
  void run();
  void accept_all();
  void on_wake();
  void on_readable(Connection &c);
  void flush(Connection &c);
  void close(uint64_t key);
  void send_call(const std::shared_ptr<Call> &call);
  void dispatch(Connection &c, const std::shared_ptr<Call> &call);
  void answer_now(const std::shared_ptr<Call> &call, Status status);
  void cancel_all();
};

struct Server::Impl::Connection {
  uint64_t key;
  Fd fd;
  std::string peer;
  nghttp2_session *session = nullptr;
  std::map<int32_t, std::shared_ptr<Call>> streams;
  std::string unsent;  // bytes nghttp2 produced that the socket did not take yet
  bool want_out = false;
  Impl *server;

  ~Connection() {
    if (session) nghttp2_session_del(session);
  }
};

class Call final : public ServerCall, public std::enable_shared_from_this<Call> {
 public:
  Call(Server::Impl *server, uint64_t conn, int32_t stream, const std::string &peer)
      : server_(server), conn_(conn), stream_(stream), peer_(peer) {}

  bool is_cancelled() const override {
    if (cancelled_.load(std::memory_order_relaxed)) return true;
    return has_deadline_ && Clock::now() > deadline_;
  }
  const std::string &peer() const override { return peer_; }
  const std::string &request() const override { return request_; }

  bool write(std::string message) override {
    size_t limit = server_->options.max_send_message;
    {
      std::lock_guard lock(mu_);
      if (gone_) return false;
      if (message.size() > limit) {
        oversize_ = message.size();
        return false;
      }
      outbox_ += frame_message(message);
    }
    server_->send_now(shared_from_this());
    std::unique_lock lock(mu_);
    drained_.wait(lock, [&] { return gone_ || outbox_.size() - sent_ <= server_->options.max_unsent; });
    return !gone_;
  }

  void finish(Status status) {
    {
      std::lock_guard lock(mu_);
      finished_ = true;
      if (oversize_)
        status_ = Status(StatusCode::RESOURCE_EXHAUSTED, fmt::format("the response is {} bytes, more than the {} crid sends",
                                                                     oversize_, server_->options.max_send_message));
      else if (has_deadline_ && Clock::now() > deadline_ && !cancelled_)
        status_ = Status(StatusCode::DEADLINE_EXCEEDED, "the call's deadline passed");
      else
        status_ = std::move(status);
    }
    server_->send_now(shared_from_this());
  }

  void cancel() {
    cancelled_ = true;
    {
      std::lock_guard lock(mu_);
      gone_ = true;
    }
    drained_.notify_all();
  }

  // Under the server's io_mu from here on.
  uint64_t conn() const { return conn_; }
  int32_t stream() const { return stream_; }

  struct Request {
    std::string path, method, content_type, timeout, body;
    bool too_large = false;
    bool dispatched = false;
  } in;
  bool headers_sent = false;

  void start(std::string request) {
    request_ = std::move(request);
    if (auto t = parse_timeout(in.timeout)) {
      has_deadline_ = true;
      deadline_ = *t > std::chrono::hours(24 * 365) ? Clock::time_point::max() : Clock::now() + *t;
    }
  }

  // What the connection thread may send now.
  struct Pending {
    bool finished, empty;
    Status status;
  };
  Pending pending() {
    std::lock_guard lock(mu_);
    return {finished_, outbox_.size() == sent_, status_};
  }

  void set_status(Status status) {
    std::lock_guard lock(mu_);
    finished_ = true;
    status_ = std::move(status);
  }

  // nghttp2's data source: copies queued bytes; at the end, the trailers.
  ssize_t read(nghttp2_session *session, uint8_t *buf, size_t length, uint32_t *flags) {
    std::unique_lock lock(mu_);
    size_t avail = outbox_.size() - sent_;
    if (avail == 0 && !finished_) return NGHTTP2_ERR_DEFERRED;
    size_t n = std::min(avail, length);
    std::memcpy(buf, outbox_.data() + sent_, n);
    sent_ += n;
    if (sent_ == outbox_.size()) {
      outbox_.clear();
      sent_ = 0;
    } else if (sent_ > (1 << 20) && sent_ * 2 > outbox_.size()) {
      outbox_.erase(0, sent_);
      sent_ = 0;
    }
    bool last = finished_ && outbox_.empty();
    Status status = last ? status_ : Status();
    lock.unlock();
    drained_.notify_all();
    if (last) {
      *flags |= NGHTTP2_DATA_FLAG_EOF | NGHTTP2_DATA_FLAG_NO_END_STREAM;
      submit_trailers(session, status);
    }
    return ssize_t(n);
  }

  void submit_trailers(nghttp2_session *session, const Status &status) {
    std::string code = std::to_string(int(status.error_code()));
    std::string message = percent_encode(status.error_message());
    nghttp2_nv nv[] = {header("grpc-status", code), header("grpc-message", message)};
    nghttp2_submit_trailer(session, stream_, nv, status.error_message().empty() ? 1 : 2);
  }

 private:
  Server::Impl *server_;
  uint64_t conn_;
  int32_t stream_;
  std::string peer_;
  std::string request_;
  bool has_deadline_ = false;
  Clock::time_point deadline_;
  std::atomic<bool> cancelled_{false};

  std::mutex mu_;
  std::condition_variable drained_;
  std::string outbox_;  // framed messages; [sent_, size) not yet given to nghttp2
  size_t sent_ = 0;
  size_t oversize_ = 0;
  bool finished_ = false;
  bool gone_ = false;
  Status status_;
};

namespace {

using Connection = Server::Impl::Connection;

std::shared_ptr<Call> find_call(Connection *c, int32_t stream) {
  auto it = c->streams.find(stream);
  return it == c->streams.end() ? nullptr : it->second;
}

int on_begin_headers(nghttp2_session *, const nghttp2_frame *frame, void *user) {
  auto *c = static_cast<Connection *>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  c->streams[frame->hd.stream_id] = std::make_shared<Call>(c->server, c->key, frame->hd.stream_id, c->peer);
  return 0;
}

int on_header(nghttp2_session *, const nghttp2_frame *frame, const uint8_t *name, size_t namelen,
              const uint8_t *value, size_t valuelen, uint8_t, void *user) {
  auto *c = static_cast<Connection *>(user);
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  auto call = find_call(c, frame->hd.stream_id);
  if (!call) return 0;
  std::string_view n(reinterpret_cast<const char *>(name), namelen);
  std::string v(reinterpret_cast<const char *>(value), valuelen);
  if (n == ":path") call->in.path = std::move(v);
  else if (n == ":method") call->in.method = std::move(v);
  else if (n == "content-type") call->in.content_type = std::move(v);
  else if (n == "grpc-timeout") call->in.timeout = std::move(v);
  return 0;
}

int on_data_chunk(nghttp2_session *, uint8_t, int32_t stream, const uint8_t *data, size_t len, void *user) {
  auto *c = static_cast<Connection *>(user);
  auto call = find_call(c, stream);
  if (!call || call->in.too_large) return 0;
  if (call->in.body.size() + len > c->server->options.max_receive_message + kFramePrefix) {
    call->in.too_large = true;
    call->in.body.clear();
    return 0;
  }
  call->in.body.append(reinterpret_cast<const char *>(data), len);
  return 0;
}

int on_frame_recv(nghttp2_session *, const nghttp2_frame *frame, void *user) {
  auto *c = static_cast<Connection *>(user);
  if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) return 0;
  if (!(frame->hd.flags & NGHTTP2_FLAG_END_STREAM)) return 0;
  if (auto call = find_call(c, frame->hd.stream_id)) c->server->dispatch(*c, call);
  return 0;
}

int on_stream_close(nghttp2_session *, int32_t stream, uint32_t, void *user) {
  auto *c = static_cast<Connection *>(user);
  auto it = c->streams.find(stream);
  if (it == c->streams.end()) return 0;
  it->second->cancel();
  c->streams.erase(it);
  return 0;
}

ssize_t read_data(nghttp2_session *session, int32_t, uint8_t *buf, size_t length, uint32_t *flags,
                  nghttp2_data_source *source, void *) {
  return static_cast<Call *>(source->ptr)->read(session, buf, length, flags);
}

}  // namespace

// The handler's thread sends what its call queued itself rather than wake
// the connection thread: a stream of events then costs one thread switch per
// message less. The socket is non-blocking; what it does not take waits for
// EPOLLOUT in the connection thread.
void Server::Impl::send_now(const std::shared_ptr<Call> &call) {
  std::lock_guard io(io_mu);
  send_call(call);
  auto it = connections.find(call->conn());
  if (it != connections.end()) flush(*it->second);
}

void Server::Impl::post(std::function<void()> command) {
  {
    std::lock_guard lock(mu);
    commands.push_back(std::move(command));
  }
  uint64_t one = 1;
  (void)!::write(wake.get(), &one, sizeof one);
}

void Server::Impl::run() {
  epoll_event events[32];
  while (!stopping) {
    int n = ::epoll_wait(epoll.get(), events, 32, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      log::error("gRPC server: epoll_wait: {}", std::strerror(errno));
      return;
    }
    std::lock_guard io(io_mu);
    for (int i = 0; i < n; ++i) {
      uint64_t key = events[i].data.u64;
      if (key == kListenKey) {
        accept_all();
      } else if (key == kWakeKey) {
        on_wake();
      } else {
        auto it = connections.find(key);
        if (it == connections.end()) continue;
        Connection &c = *it->second;
        if (events[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
          on_readable(c);
          if (!connections.count(key)) continue;
        }
        flush(c);
      }
    }
  }
  // Last words: what handlers answered before the stop goes out if the socket takes it.
  std::lock_guard io(io_mu);
  while (!connections.empty()) {
    auto key = connections.begin()->first;
    flush(*connections.begin()->second);
    close(key);
  }
}

void Server::Impl::accept_all() {
  for (;;) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == ECONNABORTED) return;
      log::warning("accept a connection: {}", std::strerror(errno));
      // Out of fds: back off instead of spinning on a socket that stays readable.
      if (errno == EMFILE || errno == ENFILE) ::poll(nullptr, 0, 100);
      return;
    }
    auto c = std::make_unique<Connection>();
    c->key = next_key++;
    c->fd = Fd(fd);
    c->peer = peer_of(fd);
    c->server = this;
    if (nghttp2_session_server_new(&c->session, callbacks, c.get()) != 0) {
      log::warning("gRPC server: cannot start an HTTP/2 session for {}", c->peer);
      continue;
    }
    nghttp2_settings_entry settings[] = {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, 1024}};
    nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, settings, 1);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = c->key;
    if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
      log::warning("gRPC server: epoll_ctl: {}", std::strerror(errno));
      continue;
    }
    Connection &ref = *c;
    connections.emplace(c->key, std::move(c));
    flush(ref);
  }
}

void Server::Impl::on_wake() {
  uint64_t count;
  (void)!::read(wake.get(), &count, sizeof count);
  std::vector<std::function<void()>> todo;
  {
    std::lock_guard lock(mu);
    todo.swap(commands);
  }
  for (auto &f : todo) f();
  // flush() may close a connection: look each up again.
  std::vector<uint64_t> keys;
  for (auto &[key, c] : connections) keys.push_back(key);
  for (uint64_t key : keys)
    if (auto it = connections.find(key); it != connections.end()) flush(*it->second);
}

void Server::Impl::send_call(const std::shared_ptr<Call> &call) {
  auto it = connections.find(call->conn());
  if (it == connections.end()) return;
  Connection &c = *it->second;
  auto s = c.streams.find(call->stream());
  if (s == c.streams.end() || s->second != call) return;
  if (call->headers_sent) {
    nghttp2_session_resume_data(c.session, call->stream());
    return;
  }
  auto p = call->pending();
  if (p.empty && !p.finished) return;
  call->headers_sent = true;
  if (p.empty) {
    // Nothing was written: a "trailers-only" answer, the status in the headers.
    std::string code = std::to_string(int(p.status.error_code()));
    std::string message = percent_encode(p.status.error_message());
    nghttp2_nv nv[] = {header(":status", "200"), header("content-type", "application/grpc"),
                       header("grpc-status", code), header("grpc-message", message)};
    nghttp2_submit_response(c.session, call->stream(), nv, p.status.error_message().empty() ? 3 : 4, nullptr);
    return;
  }
  nghttp2_nv nv[] = {header(":status", "200"), header("content-type", "application/grpc")};
  nghttp2_data_provider data{};
  data.source.ptr = call.get();
  data.read_callback = read_data;
  nghttp2_submit_response(c.session, call->stream(), nv, 2, &data);
}

void Server::Impl::answer_now(const std::shared_ptr<Call> &call, Status status) {
  call->set_status(std::move(status));
  send_call(call);
}

void Server::Impl::dispatch(Connection &c, const std::shared_ptr<Call> &call) {
  if (call->in.dispatched) return;
  call->in.dispatched = true;
  if (call->in.method != "POST") {
    nghttp2_nv nv[] = {header(":status", "405")};
    nghttp2_submit_response(c.session, call->stream(), nv, 1, nullptr);
    call->headers_sent = true;
    return;
  }
  if (!call->in.content_type.starts_with("application/grpc")) {
    nghttp2_nv nv[] = {header(":status", "415")};
    nghttp2_submit_response(c.session, call->stream(), nv, 1, nullptr);
    call->headers_sent = true;
    return;
  }
  auto m = methods.find(call->in.path);
  if (m == methods.end())
    return answer_now(call, Status(StatusCode::UNIMPLEMENTED, fmt::format("crid has no method {}", call->in.path)));
  if (!accepting)
    return answer_now(call, Status(StatusCode::UNAVAILABLE, "crid is shutting down"));
  if (call->in.too_large)
    return answer_now(call,
                      Status(StatusCode::RESOURCE_EXHAUSTED,
                             fmt::format("the request is more than the {} bytes crid accepts", options.max_receive_message)));
  auto message = single_message(call->in.body, options.max_receive_message);
  std::string().swap(call->in.body);
  if (!message)
    return answer_now(call,
                      Status(message.error().code == EMSGSIZE ? StatusCode::RESOURCE_EXHAUSTED : StatusCode::INTERNAL,
                             message.error().message));
  call->start(std::move(*message));

  {
    std::lock_guard lock(mu);
    ++running;
  }
  try {
    std::thread([this, call, &handler = m->second] {
      Status status = handler(*call);
      call->finish(std::move(status));
      // Notified under the lock: once running is 0 the server may be gone.
      std::lock_guard lock(mu);
      --running;
      handlers_done.notify_all();
    }).detach();
  } catch (const std::system_error &e) {
    {
      std::lock_guard lock(mu);
      --running;
    }
    answer_now(call, Status(StatusCode::RESOURCE_EXHAUSTED, fmt::format("start a thread for the call: {}", e.what())));
  }
}

void Server::Impl::on_readable(Connection &c) {
  uint8_t buf[16384];
  for (;;) {
    ssize_t n = ::read(c.fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN) return;
      return close(c.key);
    }
    if (n == 0) return close(c.key);
    ssize_t used = nghttp2_session_mem_recv(c.session, buf, size_t(n));
    if (used < 0) {
      log::debug("gRPC server: HTTP/2 error from {}: {}", c.peer, nghttp2_strerror(int(used)));
      flush(c);
      return close(c.key);
    }
  }
}

void Server::Impl::flush(Connection &c) {
  auto write_out = [&](const uint8_t *data, size_t len) -> size_t {
    size_t done = 0;
    while (done < len) {
      ssize_t w = ::send(c.fd.get(), data + done, len - done, MSG_NOSIGNAL);
      if (w < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN) break;
        return SIZE_MAX;
      }
      done += size_t(w);
    }
    return done;
  };
  bool broken = false;
  if (!c.unsent.empty()) {
    size_t w = write_out(reinterpret_cast<const uint8_t *>(c.unsent.data()), c.unsent.size());
    if (w == SIZE_MAX) broken = true;
    else c.unsent.erase(0, w);
  }
  while (!broken && c.unsent.empty()) {
    const uint8_t *data;
    ssize_t n = nghttp2_session_mem_send(c.session, &data);
    if (n < 0) {
      broken = true;
      break;
    }
    if (n == 0) break;
    size_t w = write_out(data, size_t(n));
    if (w == SIZE_MAX) broken = true;
    else if (w < size_t(n)) c.unsent.assign(reinterpret_cast<const char *>(data) + w, size_t(n) - w);
  }
  if (broken) return close(c.key);
  bool want_out = !c.unsent.empty();
  if (want_out != c.want_out) {
    epoll_event ev{};
    ev.events = want_out ? EPOLLIN | EPOLLOUT : EPOLLIN;
    ev.data.u64 = c.key;
    ::epoll_ctl(epoll.get(), EPOLL_CTL_MOD, c.fd.get(), &ev);
    c.want_out = want_out;
  }
  if (c.unsent.empty() && !nghttp2_session_want_read(c.session) && !nghttp2_session_want_write(c.session))
    close(c.key);
}

void Server::Impl::close(uint64_t key) {
  auto it = connections.find(key);
  if (it == connections.end()) return;
  for (auto &[id, call] : it->second->streams) call->cancel();
  ::epoll_ctl(epoll.get(), EPOLL_CTL_DEL, it->second->fd.get(), nullptr);
  connections.erase(it);
}

void Server::Impl::cancel_all() {
  for (auto &[key, c] : connections)
    for (auto &[id, call] : c->streams) call->cancel();
}

Server::Server(ServerOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->options = options;
  nghttp2_session_callbacks_new(&impl_->callbacks);
  nghttp2_session_callbacks_set_on_begin_headers_callback(impl_->callbacks, on_begin_headers);
  nghttp2_session_callbacks_set_on_header_callback(impl_->callbacks, on_header);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(impl_->callbacks, on_data_chunk);
  nghttp2_session_callbacks_set_on_frame_recv_callback(impl_->callbacks, on_frame_recv);
  nghttp2_session_callbacks_set_on_stream_close_callback(impl_->callbacks, on_stream_close);
}

Server::~Server() {
  shutdown(std::chrono::milliseconds(0));
  nghttp2_session_callbacks_del(impl_->callbacks);
}

void Server::add_method(std::string path, Handler handler) { impl_->methods[std::move(path)] = std::move(handler); }

Result<void> Server::start(int listen_fd) {
  Impl &s = *impl_;
  s.listen_fd = listen_fd;
  int flags = ::fcntl(listen_fd, F_GETFL);
  if (flags < 0 || ::fcntl(listen_fd, F_SETFL, flags | O_NONBLOCK) != 0)
    return sys_error(errno, "gRPC server: make the listening socket non-blocking");
  s.epoll = Fd(::epoll_create1(EPOLL_CLOEXEC));
  if (!s.epoll) return sys_error(errno, "gRPC server: epoll_create1");
  s.wake = Fd(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!s.wake) return sys_error(errno, "gRPC server: eventfd");
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kListenKey;
  if (::epoll_ctl(s.epoll.get(), EPOLL_CTL_ADD, listen_fd, &ev) != 0)
    return sys_error(errno, "gRPC server: watch the listening socket");
  ev.data.u64 = kWakeKey;
  if (::epoll_ctl(s.epoll.get(), EPOLL_CTL_ADD, s.wake.get(), &ev) != 0)
    return sys_error(errno, "gRPC server: watch its eventfd");
  s.thread = std::thread([&s] { s.run(); });
  return {};
}

void Server::shutdown(std::chrono::milliseconds grace) {
  Impl &s = *impl_;
  if (!s.thread.joinable()) return;
  s.post([&s] {
    s.accepting = false;
    ::epoll_ctl(s.epoll.get(), EPOLL_CTL_DEL, s.listen_fd, nullptr);
    for (auto &[key, c] : s.connections)
      nghttp2_submit_goaway(c->session, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(c->session),
                            NGHTTP2_NO_ERROR, nullptr, 0);
  });
  {
    std::unique_lock lock(s.mu);
    if (!s.handlers_done.wait_for(lock, grace, [&] { return s.running == 0; })) {
      lock.unlock();
      s.post([&s] { s.cancel_all(); });
      lock.lock();
      s.handlers_done.wait(lock, [&] { return s.running == 0; });
    }
  }
  s.post([&s] { s.stopping = true; });
  s.thread.join();
}

}  // namespace berth::crid::rpc
