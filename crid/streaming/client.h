// Clients of the streaming server: the kubectl side of remote-command (exec,
// attach) over SPDY/3.1 or WebSocket, and of port-forward over SPDY. cridctl
// uses them for exec -it, attach and port-forward; tests use them through
// tests/stream_tool.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "crid/streaming/resize_queue.h"
#include "crid/streaming/tls.h"
#include "libcontainer/fd.h"
#include "libcontainer/result.h"

namespace berth::crid::streaming {

enum class ClientProtocol { spdy, websocket };

struct RemoteCommandOptions {
  ClientProtocol protocol = ClientProtocol::spdy;
  int stdin_fd = -1;   // -1: no stdin stream
  int stdout_fd = 1;   // -1: no stdout stream
  int stderr_fd = 2;   // -1: no stderr stream (always none with a tty)
  bool tty = false;
  ResizeQueue *resize = nullptr;  // with tty: sizes to send (the first one right away)
  // Protocols offered, best first; empty: the newest this client speaks.
  std::vector<std::string> protocols;
  // SPDY: fail when the server sends beyond the flow-control window we granted
  // (a test's check; servers without flow control, spdystream's, would fail it).
  bool strict_flow_control = false;
  // For https URLs: how to trust the server (and who we are to it).
  TlsClientOptions tls;
};

// Runs the remote command behind url to its end and returns its exit code.
// Fails when the server refuses the URL or the command could not run (the
// server's message).
Result<int> run_remote_command(const std::string &url, const RemoteCommandOptions &options);

// Listens on 127.0.0.1:local_port (0: any; the chosen port is reported
// through on_listening) and forwards each accepted connection to remote_port
// through the port-forward URL, until stop is set or the server goes away.
Result<void> port_forward(const std::string &url, uint16_t local_port, uint16_t remote_port,
                          const std::function<void(uint16_t)> &on_listening = {},
                          const std::atomic<bool> *stop = nullptr, const TlsClientOptions &tls = {});

// Shared by both protocols: the URL's parts, a TCP connection, the upgrade.
struct ParsedUrl {
  std::string host;
  bool tls = false;  // https
  uint16_t port = 80;  // 443 for https
  std::string target;  // path and query
};
Result<ParsedUrl> parse_stream_url(const std::string &url);
Result<Fd> connect_tcp(const std::string &host, uint16_t port);

}  // namespace berth::crid::streaming

namespace berth::crid::streaming {

Result<int> run_remote_command_spdy(const std::string &url, const RemoteCommandOptions &options);
Result<int> run_remote_command_ws(const std::string &url, const RemoteCommandOptions &options);

// Sends an upgrade request and reads the response head; a refusal (any
// status but 101) is an error carrying the server's message. An https URL
// is spoken over TLS; the descriptor returned is then a relay's plain end.
Result<Fd> upgrade_connection(const std::string &url, const std::vector<std::pair<std::string, std::string>> &headers,
                              struct HttpHead &response, std::string &extra, const TlsClientOptions &tls = {});

// The exit code a remote-command error stream's content stands for.
Result<int> exit_code_from_error_stream(int version, std::string_view text);

}  // namespace berth::crid::streaming
