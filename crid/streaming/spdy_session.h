// One SPDY/3.1 connection with its streams, for both the server and the client
// side. A reader thread decodes frames and delivers each stream's incoming
// data into a socketpair, so consumers read a stream like any descriptor (and
// can hand it to a child as its stdin); writes go out under one lock, which
// also guards the header compression context.
//
// Flow control (SPDY/3.1 section 2.6.8): every stream and the connection
// start with a 64 KiB window each way. Data delivered to a stream's consumer
// is given back with WINDOW_UPDATE frames. Our side of a session speaks flow
// control once the peer showed it does (a SETTINGS or WINDOW_UPDATE frame; our
// client sends SETTINGS first): then writes wait for window, and incoming data
// waits in memory (bounded by the window we granted) instead of stalling the
// reader thread, which must stay free to read the peer's window updates.
// Peers that never speak it (the kubelet's and kubectl's spdystream) are
// served as before: writes unbounded, delivery blocking.
#pragma once

#include <poll.h>

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
  bool reset_ = false;     // RST_STREAM either way: writes fail
  int64_t send_window_ = 0;
  int64_t recv_window_ = 0;
  std::string pending_;    // received, not yet taken by the consumer's socketpair
  bool fin_pending_ = false;
};

inline constexpr int64_t kSpdyInitialWindow = 64 * 1024;
inline constexpr uint32_t kSpdySettingsInitialWindow = 7;
inline constexpr uint32_t kSpdyRstFlowControlError = 7;

class SpdySession {
 public:
  using StreamHandler = std::function<void(std::shared_ptr<SpdyStream>)>;

  // extra: bytes already read past the HTTP upgrade response/request.
  SpdySession(Fd sock, bool is_client, std::string extra = {});
  // Treat data beyond the window we granted as the peer's error, ending the
  // session (tests check that the server keeps to the client's window).
  void enforce_receive_window() { enforce_recv_ = true; }
  // Why the session ended early, when the peer broke flow control.
  std::string flow_error() const;
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
  void deliver_held_data();
  // Streams holding data their consumer has not taken yet, each with a
  // POLLOUT entry for its write end appended to fds (in the same order).
  std::vector<std::shared_ptr<SpdyStream>> add_held_streams(std::vector<pollfd> &fds);
  void new_stream_windows(SpdyStream &s);
  // Moves a stream's pending data to its consumer as far as it takes it now,
  // giving the delivered bytes back to the peer as window.
  void flush(const std::shared_ptr<SpdyStream> &s);
  void send_window_update(uint32_t stream_id, size_t delta);

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
  bool enforce_recv_ = false;
  bool peer_flow_control_ = false;
  int64_t peer_initial_window_ = kSpdyInitialWindow;
  int64_t send_conn_window_ = kSpdyInitialWindow;
  int64_t recv_conn_window_ = kSpdyInitialWindow;
  std::string flow_error_;
  std::thread reader_;
};

}  // namespace berth::crid::streaming
