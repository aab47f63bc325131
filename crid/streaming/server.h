// crid's streaming server: HTTP/1.1 on a TCP address, where the URLs that the
// Exec, Attach and PortForward RPCs return lead. Each URL carries a
// single-use token naming the request; a connection upgrades to SPDY/3.1 or
// WebSocket and is served on its own thread (streams are few and long).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "crid/streaming/backend.h"
#include "crid/streaming/stream_request.h"
#include "crid/streaming/tls.h"
#include "crid/streaming/token_store.h"
#include "libcontainer/fd.h"

namespace berth::crid::streaming {

struct ServerConfig {
  std::string address = "127.0.0.1";  // IPv4 or IPv6 literal
  uint16_t port = 0;                  // 0: an ephemeral port
  std::chrono::milliseconds token_ttl = std::chrono::minutes(1);
  // How long a connection may take to send its request head.
  std::chrono::milliseconds idle_timeout = std::chrono::seconds(30);
  // An upgraded stream with no data either way for this long is closed; 0: never.
  std::chrono::milliseconds stream_idle_timeout{0};
  // stream_enable_tls: serve https with these files (crid/streaming/tls.h).
  bool enable_tls = false;
  TlsServerFiles tls;
};

class Server {
 public:
  Server(ServerConfig config, StreamBackend &backend);
  ~Server();
  Server(const Server &) = delete;
  Server &operator=(const Server &) = delete;

  // Binds and starts accepting.
  Result<void> start();
  // Stops accepting, ends every connection and waits for their threads.
  void stop();

  // "http://127.0.0.1:PORT/exec/TOKEN" (https with TLS): a URL for the request, valid once.
  std::string url_for(StreamRequest request);
  uint16_t port() const { return bound_port_; }
  std::string base_url() const;

 private:
  void accept_loop();
  void idle_loop();
  void serve(Fd conn);
  void serve_tls(Fd tcp);

  ServerConfig config_;
  StreamBackend &backend_;
  TokenStore tokens_;
  std::optional<TlsContext> tls_;
  Fd listener_;
  uint16_t bound_port_ = 0;
  std::thread acceptor_;
  std::thread idle_watcher_;
  std::condition_variable stop_cv_;
  std::mutex mu_;
  bool stopping_ = false;
  struct Connection {
    int fd;
    std::thread thread;
    bool done = false;
  };
  std::list<Connection> connections_;
};

// Parses "v4.channel.k8s.io" and friends: the version number (1 for
// "channel.k8s.io"), 0 when not a remote-command protocol.
int remote_command_version(std::string_view protocol);

}  // namespace berth::crid::streaming
