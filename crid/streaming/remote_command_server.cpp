#include "crid/streaming/remote_command_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <list>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include <fmt/ranges.h>

#include "crid/log.h"
#include "crid/streaming/http_message.h"
#include "crid/streaming/relay.h"
#include "crid/streaming/spdy_session.h"
#include "crid/streaming/status_json.h"
#include "crid/streaming/websocket_conn.h"

namespace berth::crid::streaming {

void JsonObjectSplitter::feed(std::string_view data) { buf_ += data; }

std::optional<std::string> JsonObjectSplitter::next() {
  int depth = 0;
  bool in_string = false, escaped = false;
  size_t start = std::string::npos;
  for (size_t i = 0; i < buf_.size(); ++i) {
    char c = buf_[i];
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{') {
      if (depth++ == 0) start = i;
    } else if (c == '}' && depth > 0 && --depth == 0) {
      std::string obj = buf_.substr(start, i + 1 - start);
      buf_.erase(0, i + 1);
      return obj;
    }
  }
  return std::nullopt;
}

std::string error_stream_payload(int version, const Result<int> &outcome) {
  if (version >= 4) {
    if (!outcome) return internal_error_status_json(outcome.error().message);
    return exit_status_json(*outcome);
  }
  if (!outcome) return outcome.error().message;
  if (*outcome != 0) return fmt::format("command terminated with non-zero exit code: exit status {}", *outcome);
  return {};
}

namespace {

// How long the client may take to open the streams its request asked for
// (the kubelet's streamCreationTimeout, 30s by default).
constexpr std::chrono::seconds kStreamCreationTimeout{30};

Result<int> run_backend(const StreamRequest &request, StreamBackend &backend, const StreamIo &io) {
  if (request.kind == StreamKind::attach) return backend.attach(request.id, io);
  return backend.exec(request.id, request.cmd, io);
}

// An output stream of the command: a pipe whose write end the command gets,
// and a thread forwarding what it writes to the client.
struct OutputPump {
  Fd write_end;
  std::thread thread;
  ~OutputPump() {
    write_end.reset();
    if (thread.joinable()) thread.join();
  }
  // Starts forwarding; sink is called per chunk, done when the pipe is drained.
  Result<void> start(std::function<Result<void>(std::string_view)> sink, std::function<void()> done) {
    auto [r, w] = TRY(make_pipe());
    write_end = std::move(w);
    thread = std::thread([read_end = std::move(r), sink = std::move(sink), done = std::move(done)]() mutable {
      (void)copy_to(read_end.get(), sink, -1);
      done();
    });
    return {};
  }
  void finish() {
    write_end.reset();
    if (thread.joinable()) thread.join();
  }
};

void read_resizes(int fd, ResizeQueue &queue) {
  JsonObjectSplitter splitter;
  (void)copy_to(fd, [&](std::string_view chunk) -> Result<void> {
    splitter.feed(chunk);
    while (auto obj = splitter.next()) {
      if (auto size = term_size_from_json(*obj)) queue.push(*size);
      else log::warning("streaming: {}", size.error().message);
    }
    return {};
  }, -1);
}

}  // namespace

Result<void> serve_remote_command_spdy(Fd sock, std::string extra, int version, const StreamRequest &request,
                                       StreamBackend &backend) {
  std::mutex mu;
  std::condition_variable cv;
  std::map<std::string, std::shared_ptr<SpdyStream>> streams;
  ResizeQueue resize;
  std::thread resize_thread;
  SpdySession session(std::move(sock), false, std::move(extra));
  session.start([&](std::shared_ptr<SpdyStream> s) {
    std::string type(s->header("streamtype"));
    if (type == "resize" && !resize_thread.joinable())
      resize_thread = std::thread([s, &resize] { read_resizes(s->read_fd(), resize); });
    {
      std::lock_guard lock(mu);
      streams[type] = s;
    }
    cv.notify_all();
  });
  auto has = [&](const char *t) { return streams.contains(t); };
  bool want_stderr = request.stderr && !request.tty;
  {
    std::unique_lock lock(mu);
    bool ready = cv.wait_for(lock, kStreamCreationTimeout, [&] {
      return session.closed() || (has("error") && (!request.stdin || has("stdin")) &&
                                  (!request.stdout || has("stdout")) && (!want_stderr || has("stderr")));
    });
    if (!ready || session.closed()) {
      auto error_s = has("error") ? streams["error"] : nullptr;
      std::vector<std::string> absent;
      for (auto [t, wanted] : {std::pair{"error", true}, {"stdin", request.stdin}, {"stdout", request.stdout},
                               {"stderr", want_stderr}})
        if (wanted && !has(t)) absent.emplace_back(t);
      lock.unlock();
      // The server's log line names the request; the client sees this text.
      Result<int> missing =
          session.closed() ? make_error("the client left before it opened its streams")
                           : make_error("the client did not open the {} stream{} its request asked for within {}s",
                                        fmt::join(absent, ", "), absent.size() == 1 ? "" : "s",
                                        kStreamCreationTimeout.count());
      // Said on the error stream when there is one: a client that asked for
      // stdin and never opened it would otherwise see only a dropped
      // connection, which looks like output lost on the way.
      if (error_s && !session.closed()) {
        std::string payload = error_stream_payload(version, missing);
        if (!payload.empty()) (void)error_s->write(payload);
        (void)error_s->close_write();
        session.finish(std::chrono::seconds(2));
      }
      session.close();
      resize.close();
      if (resize_thread.joinable()) resize_thread.join();
      return std::unexpected(missing.error());
    }
  }
  auto get = [&](const char *t) -> std::shared_ptr<SpdyStream> {
    std::lock_guard lock(mu);
    auto it = streams.find(t);
    return it == streams.end() ? nullptr : it->second;
  };
  auto stdin_s = request.stdin ? get("stdin") : nullptr;
  auto stdout_s = request.stdout ? get("stdout") : nullptr;
  auto stderr_s = want_stderr ? get("stderr") : nullptr;
  auto error_s = get("error");

  StreamIo io;
  io.tty = request.tty;
  io.stdin_once = request.stdin_once;
  io.resize = request.tty ? &resize : nullptr;
  if (stdin_s) io.stdin_fd = stdin_s->read_fd();
  Result<int> outcome = 0;
  {
    OutputPump out, err;
    if (stdout_s) {
      TRY(out.start([&](std::string_view d) { return stdout_s->write(d); }, [&] { (void)stdout_s->close_write(); }));
      io.stdout_fd = out.write_end.get();
    }
    if (stderr_s) {
      TRY(err.start([&](std::string_view d) { return stderr_s->write(d); }, [&] { (void)stderr_s->close_write(); }));
      io.stderr_fd = err.write_end.get();
    }
    outcome = run_backend(request, backend, io);
    out.finish();
    err.finish();
  }
  if (!outcome) log::warning("streaming: {} {}: {}", stream_kind_path(request.kind), request.id, outcome.error().message);
  std::string payload = error_stream_payload(version, outcome);
  if (!payload.empty()) (void)error_s->write(payload);
  (void)error_s->close_write();
  resize.close();
  session.finish(std::chrono::seconds(5));
  session.close();
  if (resize_thread.joinable()) resize_thread.join();
  return {};
}

Result<void> serve_remote_command_ws(Fd sock, std::string extra, int version, bool base64,
                                     const StreamRequest &request, StreamBackend &backend) {
  WsConnection ws(std::move(sock), false, std::move(extra));
  WsChannelCodec codec{base64};
  ResizeQueue resize;
  Fd stdin_read, stdin_write;
  if (request.stdin) {
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0) return sys_error(errno, "socketpair for stdin");
    stdin_read.reset(sv[0]);
    stdin_write.reset(sv[1]);
  }
  std::mutex mu;
  std::condition_variable cv;
  bool client_gone = false;
  auto send_channel = [&](uint8_t ch, std::string_view d) -> Result<void> {
    auto [op, msg] = codec.encode(ch, d);
    return ws.send(op, msg);
  };
  std::thread reader([&] {
    while (true) {
      auto m = ws.receive();
      if (!m || m->first == WsOpcode::close) break;
      auto cm = codec.decode(m->first, m->second);
      if (!cm) continue;
      auto &[ch, data] = *cm;
      if (ch == 0 && stdin_write) {
        if (!data.empty()) (void)write_all(stdin_write.get(), data);
      } else if (ch == 4) {
        if (auto s = term_size_from_json(data)) resize.push(*s);
      } else if (ch == 255 && version >= 5 && !data.empty() && data[0] == 0) {
        std::lock_guard lock(mu);
        stdin_write.reset();
      }
    }
    {
      std::lock_guard lock(mu);
      client_gone = true;
      stdin_write.reset();
    }
    resize.close();
    cv.notify_all();
  });
  StreamIo io;
  io.tty = request.tty;
  io.stdin_once = request.stdin_once;
  io.resize = request.tty ? &resize : nullptr;
  io.stdin_fd = stdin_read.get();
  Result<int> outcome = 0;
  {
    OutputPump out, err;
    if (request.stdout) {
      TRY(out.start([&](std::string_view d) { return send_channel(1, d); }, [] {}));
      io.stdout_fd = out.write_end.get();
    }
    if (request.stderr && !request.tty) {
      TRY(err.start([&](std::string_view d) { return send_channel(2, d); }, [] {}));
      io.stderr_fd = err.write_end.get();
    }
    outcome = run_backend(request, backend, io);
    out.finish();
    err.finish();
  }
  if (!outcome) log::warning("streaming: {} {}: {}", stream_kind_path(request.kind), request.id, outcome.error().message);
  std::string payload = error_stream_payload(version, outcome);
  if (!payload.empty() || version >= 4) (void)send_channel(3, payload);
  (void)ws.send_close(1000);
  {
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(5), [&] { return client_gone; });
  }
  ::shutdown(ws.fd(), SHUT_RDWR);
  reader.join();
  resize.close();
  return {};
}

Result<void> serve_port_forward_spdy(Fd sock, std::string extra, const StreamRequest &request,
                                     StreamBackend &backend) {
  struct Pair {
    std::shared_ptr<SpdyStream> error, data;
    bool started = false;
  };
  std::mutex mu;
  std::map<std::string, Pair> pairs;
  std::list<std::thread> workers;
  std::list<Fd> sockets;  // connections into the pod, shut down when the client leaves
  SpdySession session(std::move(sock), false, std::move(extra));

  auto forward = [&](std::shared_ptr<SpdyStream> error_s, std::shared_ptr<SpdyStream> data_s, int conn) {
    std::thread upstream([&, data_s, conn] {
      (void)copy_fd(data_s->read_fd(), conn, -1);
      ::shutdown(conn, SHUT_WR);
    });
    (void)copy_to(conn, [&](std::string_view d) { return data_s->write(d); }, -1);
    (void)data_s->close_write();
    (void)error_s->close_write();
    // The client closes its side of the data stream when its connection ends;
    // the pod's side ending first is enough to stop waiting on it.
    ::shutdown(data_s->read_fd(), SHUT_RDWR);
    upstream.join();
  };

  session.start([&](std::shared_ptr<SpdyStream> s) {
    std::string type(s->header("streamtype"));
    std::string id(s->header("requestid"));
    std::lock_guard lock(mu);
    Pair &p = pairs[id];
    if (type == "error") p.error = s;
    else if (type == "data") p.data = s;
    else return;
    if (!p.error || !p.data || p.started) return;
    p.started = true;
    auto error_s = p.error, data_s = p.data;
    workers.emplace_back([&, error_s, data_s] {
      std::string port_text(data_s->header("port"));
      int port = std::atoi(port_text.c_str());
      Result<Fd> conn = make_error("port {:?} is not a port number", port_text);
      if (port > 0 && port < 65536) {
        if (!request.ports.empty() && std::ranges::find(request.ports, port) == request.ports.end())
          conn = make_error("port {} was not asked for in the PortForward request", port);
        else
          conn = backend.port_forward(request.id, uint16_t(port));
      }
      if (!conn) {
        std::string msg = fmt::format("error forwarding port {} to pod {}: {}", port_text, request.id, conn.error().message);
        log::warning("streaming: {}", msg);
        (void)error_s->write(msg);
        (void)error_s->close_write();
        (void)data_s->close_write();
        return;
      }
      int fd;
      {
        std::lock_guard lock(mu);
        sockets.push_back(std::move(*conn));
        fd = sockets.back().get();
      }
      forward(error_s, data_s, fd);
    });
  });
  session.wait_closed();
  {
    std::lock_guard lock(mu);
    for (auto &s : sockets) ::shutdown(s.get(), SHUT_RDWR);
  }
  for (auto &t : workers) t.join();
  session.close();
  return {};
}

}  // namespace berth::crid::streaming
