// One SPDY/3.1 connection with its streams, for both the server and the client
// side. A reader thread decodes frames and delivers each stream's incoming
// data into a socketpair, so consumers read a stream like any descriptor (and
// can hand it to a child as its stdin); writes go out under one lock, which
// also guards the header compression context.
#pragma once

#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "crid/streaming/spdy_frame.h"
#include "libcontainer/fd.h"

namespace berth::crid::streaming {

class SpdySession;

class SpdyStream {
 public:
  uint32_t id() const { return id_; }
  const SpdyHeaders &headers() const { return headers_; }
  std::string_view header(std::string_view name) const { return header_value(headers_, name); }
  // Incoming data; reads EOF once the peer half-closed (FIN) or reset the stream.
  int read_fd() const { return read_end_.get(); }
  Result<void> write(std::string_view data);
  // Half-closes our side (a DATA frame with FIN); later calls do nothing.
  Result<void> close_write();

 private:
  friend class SpdySession;
  SpdySession *session_ = nullptr;
  uint32_t id_ = 0;
  SpdyHeaders headers_;
  Fd read_end_;
  Fd write_end_;          // the reader thread's side; reset at FIN or RST
  bool replied_ = false;  // SYN_REPLY seen (streams we opened)
  bool fin_sent_ = false;
};

class SpdySession {
 public:
  using StreamHandler = std::function<void(std::shared_ptr<SpdyStream>)>;

  // extra: bytes already read past the HTTP upgrade response/request.
  SpdySession(Fd sock, bool is_client, std::string extra = {});
  ~SpdySession();
  SpdySession(const SpdySession &) = delete;
  SpdySession &operator=(const SpdySession &) = delete;

  // Starts the reader thread. on_stream runs on it for each stream the peer
  // opens (after the SYN_REPLY went out), so it must not block for long.
  void start(StreamHandler on_stream = {});
  // Opens a stream (client side) and waits for the peer's SYN_REPLY.
  Result<std::shared_ptr<SpdyStream>> open_stream(SpdyHeaders headers);
  Result<void> send(const SpdyFrame &frame);
  // Stops sending (TCP half-close), then waits up to timeout for the peer to
  // close its side, so nothing we wrote is lost to a reset.
  void finish(std::chrono::milliseconds timeout);
  // Closes the connection now and waits for the reader thread.
  void close();
  bool closed() const;
  void wait_closed();
  int socket_fd() const { return sock_.get(); }

 private:
  friend class SpdyStream;
  void reader_loop(std::string buf);
  void handle(SpdyFrame &frame);
  std::shared_ptr<SpdyStream> find(uint32_t id);
  void end_all_streams();

  Fd sock_;
  bool is_client_;
  std::string extra_;
  StreamHandler on_stream_;
  HeaderCodec codec_;
  std::mutex write_mu_;       // frames out, and codec_'s deflate side
  mutable std::mutex mu_;     // streams_, closed_, next_id_
  std::condition_variable cv_;
  std::map<uint32_t, std::shared_ptr<SpdyStream>> streams_;
  uint32_t next_id_;
  bool closed_ = false;
  std::thread reader_;
};

}  // namespace berth::crid::streaming
