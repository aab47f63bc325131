#include "crid/streaming/spdy_session.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "crid/streaming/http_message.h"

namespace berth::crid::streaming {

Result<void> SpdyStream::write(std::string_view data) {
  while (!data.empty()) {
    size_t n = std::min<size_t>(data.size(), 64 * 1024);
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

void SpdySession::start(StreamHandler on_stream) {
  on_stream_ = std::move(on_stream);
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
      if (!f.data.empty() && s->write_end_) {
        // The consumer may have stopped reading (closed its end): drop the data.
        (void)write_all(s->write_end_.get(), f.data);
      }
      if (f.fin()) {
        std::lock_guard lock(mu_);
        s->write_end_.reset();
      }
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
      std::lock_guard lock(mu_);
      s->write_end_.reset();
      s->fin_sent_ = true;
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
      return;  // SETTINGS, WINDOW_UPDATE, HEADERS: nothing we act on
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
    ssize_t n = ::read(sock_.get(), chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buf.append(chunk, size_t(n));
  }
  end_all_streams();
}

void SpdySession::end_all_streams() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
    for (auto &[id, s] : streams_) s->write_end_.reset();
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
