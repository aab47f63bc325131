#include "crid/streaming/spdy_session.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>

#include "crid/streaming/http_message.h"

namespace berth::crid::streaming {

Result<void> SpdyStream::write(std::string_view data) {
  while (!data.empty()) {
    size_t n = std::min<size_t>(data.size(), 16 * 1024);
    {
      std::unique_lock lock(session_->mu_);
      session_->cv_.wait(lock, [&] {
        return reset_ || session_->closed_ || !session_->peer_flow_control_ ||
               (send_window_ > 0 && session_->send_conn_window_ > 0);
      });
      if (reset_) return make_error("spdy stream {}: reset by the peer", id_);
      if (session_->closed_) return make_error("spdy connection closed");
      if (session_->peer_flow_control_)
        n = size_t(std::min<int64_t>({int64_t(n), send_window_, session_->send_conn_window_}));
      send_window_ -= int64_t(n);
      session_->send_conn_window_ -= int64_t(n);
    }
    SpdyFrame f;
    f.type = SpdyType::data;
    f.stream_id = id_;
    f.data.assign(data.substr(0, n));
    TRY(session_->send(f));
    data.remove_prefix(n);
  }
  return {};
}

Result<void> SpdyStream::close_write() {
  {
    std::lock_guard lock(session_->mu_);
    if (fin_sent_) return {};
    fin_sent_ = true;
  }
  SpdyFrame f;
  f.type = SpdyType::data;
  f.stream_id = id_;
  f.flags = kSpdyFlagFin;
  return session_->send(f);
}

SpdySession::SpdySession(Fd sock, bool is_client, std::string extra)
    : sock_(std::move(sock)), is_client_(is_client), extra_(std::move(extra)), next_id_(is_client ? 1 : 2) {}

SpdySession::~SpdySession() { close(); }

std::string SpdySession::flow_error() const {
  std::lock_guard lock(mu_);
  return flow_error_;
}

void SpdySession::new_stream_windows(SpdyStream &s) {
  s.send_window_ = peer_initial_window_;
  s.recv_window_ = kSpdyInitialWindow;
}

void SpdySession::send_window_update(uint32_t stream_id, size_t delta) {
  if (delta == 0) return;
  SpdyFrame f;
  f.type = SpdyType::window_update;
  f.stream_id = stream_id;
  f.value = uint32_t(delta);
  (void)send(f);
}

void SpdySession::flush(const std::shared_ptr<SpdyStream> &s) {
  size_t delivered = 0;
  {
    std::lock_guard lock(mu_);
    while (!s->pending_.empty() && s->write_end_) {
      ssize_t n = ::send(s->write_end_.get(), s->pending_.data(), s->pending_.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) break;
      // The consumer stopped reading: what it would have read counts as taken.
      size_t took = n < 0 ? s->pending_.size() : size_t(n);
      s->pending_.erase(0, took);
      delivered += took;
    }
    if (!s->write_end_) {
      delivered += s->pending_.size();
      s->pending_.clear();
    }
    if (s->pending_.empty() && s->fin_pending_) s->write_end_.reset();
    s->recv_window_ += int64_t(delivered);
    recv_conn_window_ += int64_t(delivered);
  }
  // A stream the peer has finished sending on needs no more window.
  if (!s->fin_pending_) send_window_update(s->id_, delivered);
  send_window_update(0, delivered);
}

void SpdySession::start(StreamHandler on_stream) {
  on_stream_ = std::move(on_stream);
  if (is_client_) {
    // Says we speak flow control before any stream exists, so a server that
    // does too keeps to our windows from its first byte.
    SpdyFrame settings;
    settings.type = SpdyType::settings;
    settings.settings.emplace_back(kSpdySettingsInitialWindow, uint32_t(kSpdyInitialWindow));
    (void)send(settings);
  }
  reader_ = std::thread([this] { reader_loop(std::move(extra_)); });
}

Result<void> SpdySession::send(const SpdyFrame &frame) {
  std::lock_guard lock(write_mu_);
  std::string bytes = TRY(encode_spdy_frame(frame, codec_));
  TRY_CTX(write_all(sock_.get(), bytes), "spdy connection");
  return {};
}

Result<std::shared_ptr<SpdyStream>> SpdySession::open_stream(SpdyHeaders headers) {
  auto stream = std::make_shared<SpdyStream>();
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return sys_error(errno, "socketpair for a stream");
  stream->read_end_.reset(sv[0]);
  stream->write_end_.reset(sv[1]);
  stream->session_ = this;
  stream->headers_ = headers;
  {
    std::lock_guard lock(mu_);
    if (closed_) return make_error("spdy connection closed");
    new_stream_windows(*stream);
    stream->id_ = next_id_;
    next_id_ += 2;
    streams_[stream->id_] = stream;
  }
  SpdyFrame f;
  f.type = SpdyType::syn_stream;
  f.stream_id = stream->id_;
  f.headers = std::move(headers);
  TRY(send(f));
  std::unique_lock lock(mu_);
  if (!cv_.wait_for(lock, std::chrono::seconds(30), [&] { return stream->replied_ || closed_; }))
    return make_error("spdy stream {}: no reply within 30s", stream->id_);
  if (!stream->replied_) return make_error("spdy stream {}: connection closed before the reply", stream->id_);
  return stream;
}

std::shared_ptr<SpdyStream> SpdySession::find(uint32_t id) {
  std::lock_guard lock(mu_);
  auto it = streams_.find(id);
  return it == streams_.end() ? nullptr : it->second;
}

void SpdySession::handle(SpdyFrame &f) {
  switch (f.type) {
    case SpdyType::data: {
      auto s = find(f.stream_id);
      if (!s) return;
      bool buffered;
      {
        std::lock_guard lock(mu_);
        int64_t len = int64_t(f.data.size());
        if (enforce_recv_ && (len > s->recv_window_ || len > recv_conn_window_)) {
          flow_error_ = fmt::format("spdy stream {}: the peer sent {} bytes into a window of {} (connection {})",
                                    s->id_, len, s->recv_window_, recv_conn_window_);
          ::shutdown(sock_.get(), SHUT_RDWR);
          return;
        }
        s->recv_window_ -= len;
        recv_conn_window_ -= len;
        // Without the peer's flow control, nothing bounds a buffer: block instead.
        buffered = peer_flow_control_ || is_client_;
        if (buffered) {
          s->pending_ += f.data;
          if (f.fin()) s->fin_pending_ = true;
        }
      }
      if (buffered) {
        flush(s);
        return;
      }
      if (!f.data.empty() && s->write_end_) {
        // The consumer may have stopped reading (closed its end): drop the data.
        (void)write_all(s->write_end_.get(), f.data);
      }
      {
        std::lock_guard lock(mu_);
        s->recv_window_ += int64_t(f.data.size());
        recv_conn_window_ += int64_t(f.data.size());
        if (f.fin()) s->write_end_.reset();
      }
      if (!f.fin()) send_window_update(s->id_, f.data.size());
      send_window_update(0, f.data.size());
      return;
    }
    case SpdyType::syn_stream: {
      auto s = std::make_shared<SpdyStream>();
      int sv[2];
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) {
        SpdyFrame rst;
        rst.type = SpdyType::rst_stream;
        rst.stream_id = f.stream_id;
        rst.status = kSpdyRstCancel;
        (void)send(rst);
        return;
      }
      s->read_end_.reset(sv[0]);
      s->write_end_.reset(sv[1]);
      s->session_ = this;
      s->id_ = f.stream_id;
      s->headers_ = std::move(f.headers);
      s->replied_ = true;
      if (f.fin()) s->write_end_.reset();
      {
        std::lock_guard lock(mu_);
        new_stream_windows(*s);
        streams_[s->id_] = s;
      }
      SpdyFrame reply;
      reply.type = SpdyType::syn_reply;
      reply.stream_id = s->id_;
      (void)send(reply);
      if (on_stream_) on_stream_(s);
      return;
    }
    case SpdyType::syn_reply: {
      auto s = find(f.stream_id);
      if (!s) return;
      {
        std::lock_guard lock(mu_);
        s->replied_ = true;
        if (f.fin()) s->write_end_.reset();
      }
      cv_.notify_all();
      return;
    }
    case SpdyType::rst_stream: {
      auto s = find(f.stream_id);
      if (!s) return;
      {
        std::lock_guard lock(mu_);
        s->write_end_.reset();
        s->pending_.clear();
        s->fin_sent_ = true;
        s->reset_ = true;
      }
      cv_.notify_all();
      return;
    }
    case SpdyType::settings: {
      {
        std::lock_guard lock(mu_);
        peer_flow_control_ = true;
        for (auto [id, value] : f.settings) {
          if (id != kSpdySettingsInitialWindow) continue;
          // A new initial window moves every open stream's window by the difference.
          int64_t delta = int64_t(value) - peer_initial_window_;
          peer_initial_window_ = value;
          for (auto &[sid, st] : streams_) st->send_window_ += delta;
        }
      }
      cv_.notify_all();
      return;
    }
    case SpdyType::window_update: {
      {
        std::lock_guard lock(mu_);
        peer_flow_control_ = true;
        if (f.stream_id == 0) {
          send_conn_window_ += f.value;
        } else if (auto it = streams_.find(f.stream_id); it != streams_.end()) {
          it->second->send_window_ += f.value;
        }
      }
      cv_.notify_all();
      return;
    }
    case SpdyType::ping: {
      // Our own pings carry ids of our parity; the peer's are echoed back.
      if ((f.value & 1) == (is_client_ ? 1u : 0u)) return;
      SpdyFrame pong;
      pong.type = SpdyType::ping;
      pong.value = f.value;
      (void)send(pong);
      return;
    }
    default:
      return;  // HEADERS: nothing we act on
  }
}

void SpdySession::reader_loop(std::string buf) {
  char chunk[64 * 1024];
  bool eof = false;
  while (true) {
    while (true) {
      SpdyFrame f;
      auto used = decode_spdy_frame(buf, codec_, f);
      if (!used) {
        eof = true;
        break;
      }
      if (*used == 0) break;
      buf.erase(0, *used);
      if (f.type == SpdyType::goaway) {
        eof = true;
        break;
      }
      handle(f);
    }
    if (eof) break;
    // Wait for the peer, and for consumers to make room for data held back.
    std::vector<pollfd> fds{{sock_.get(), POLLIN, 0}};
    auto held = add_held_streams(fds);
    if (::poll(fds.data(), fds.size(), -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (size_t i = 0; i < held.size(); ++i)
      if (fds[i + 1].revents) flush(held[i]);
    if (!fds[0].revents) continue;
    ssize_t n = ::read(sock_.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(chunk, size_t(n));
  }
  end_all_streams();
}

std::vector<std::shared_ptr<SpdyStream>> SpdySession::add_held_streams(std::vector<pollfd> &fds) {
  std::vector<std::shared_ptr<SpdyStream>> held;
  std::lock_guard lock(mu_);
  for (auto &[id, s] : streams_)
    if (!s->pending_.empty() && s->write_end_) {
      fds.push_back({s->write_end_.get(), POLLOUT, 0});
      held.push_back(s);
    }
  return held;
}

void SpdySession::deliver_held_data() {
  // A consumer that is alive but reads nothing for this long is not waited for.
  constexpr int kNoProgressMs = 30000;
  for (;;) {
    std::vector<pollfd> fds;
    auto held = add_held_streams(fds);
    if (held.empty()) return;
    int r = ::poll(fds.data(), fds.size(), kNoProgressMs);
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) return;
    for (size_t i = 0; i < held.size(); ++i)
      if (fds[i].revents) flush(held[i]);
  }
}

void SpdySession::end_all_streams() {
  // What arrived before the connection ended (a command's last output, sent
  // just before its status and the close) still reaches slow consumers.
  deliver_held_data();
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    for (auto &[id, s] : streams_) {
      s->write_end_.reset();
      s->pending_.clear();
    }
  }
  cv_.notify_all();
}

bool SpdySession::closed() const {
  std::lock_guard lock(mu_);
  return closed_;
}

void SpdySession::wait_closed() {
  if (reader_.joinable()) reader_.join();
}

void SpdySession::finish(std::chrono::milliseconds timeout) {
  if (!sock_) return;
  ::shutdown(sock_.get(), SHUT_WR);
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [&] { return closed_; });
}

void SpdySession::close() {
  if (sock_) ::shutdown(sock_.get(), SHUT_RDWR);
  wait_closed();
  end_all_streams();
}

}  // namespace berth::crid::streaming
