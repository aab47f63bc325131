#include <sys/random.h>
#include <sys/socket.h>

#include <thread>

#include <fmt/format.h>

#include "crid/streaming/client.h"
#include "crid/streaming/http_message.h"
#include "crid/streaming/relay.h"
#include "crid/streaming/server.h"
#include "crid/streaming/websocket_conn.h"

namespace berth::crid::streaming {

Result<int> run_remote_command_ws(const std::string &url, const RemoteCommandOptions &o) {
  std::vector<std::string> protocols = o.protocols;
  if (protocols.empty()) protocols = {"v5.channel.k8s.io", "v4.channel.k8s.io"};
  unsigned char nonce[16];
  if (::getrandom(nonce, sizeof nonce, 0) != sizeof nonce) return sys_error(errno, "websocket: the handshake key");
  std::string key = base64_encode(std::string_view(reinterpret_cast<char *>(nonce), sizeof nonce));
  std::vector<std::pair<std::string, std::string>> headers{
      {"Upgrade", "websocket"},
      {"Sec-WebSocket-Version", "13"},
      {"Sec-WebSocket-Key", key},
      {"Sec-WebSocket-Protocol", fmt::format("{}", fmt::join(protocols, ", "))}};
  HttpHead response;
  std::string extra;
  Fd sock = TRY(upgrade_connection(url, headers, response, extra, o.tls));
  if (response.header("Sec-WebSocket-Accept") != ws_accept_key(key))
    return make_error("{}: the server's Sec-WebSocket-Accept does not match our key", url);
  std::string chosen(response.header("Sec-WebSocket-Protocol"));
  int version = remote_command_version(chosen);
  if (version == 0) version = 1;
  WsChannelCodec codec{chosen.find("base64") != std::string::npos};
  WsConnection ws(std::move(sock), true, std::move(extra));
  auto send_channel = [&](uint8_t ch, std::string_view d) -> Result<void> {
    auto [op, msg] = codec.encode(ch, d);
    return ws.send(op, msg);
  };

  Canceller stop;
  std::thread input, resize;
  if (o.stdin_fd >= 0)
    input = std::thread([&] {
      (void)copy_to(o.stdin_fd, [&](std::string_view d) { return send_channel(0, d); }, stop.fd());
      // Only v5 can say that stdin ended; v4 clients just stop sending.
      if (!stop.cancelled() && version >= 5 && !codec.base64)
        (void)ws.send(WsOpcode::binary, std::string_view("\xff\x00", 2));
    });
  if (o.tty && o.resize)
    resize = std::thread([&] {
      while (auto s = o.resize->pop())
        if (!send_channel(4, term_size_json(*s))) break;
    });

  std::string error_text;
  bool got_status = false;
  Result<void> failure;
  while (true) {
    auto m = ws.receive();
    if (!m) break;
    if (m->first == WsOpcode::close) {
      (void)ws.send_close(1000);
      break;
    }
    auto cm = codec.decode(m->first, m->second);
    if (!cm) continue;
    auto &[ch, data] = *cm;
    if (data.empty()) continue;
    int fd = ch == 1 ? o.stdout_fd : ch == 2 ? o.stderr_fd : -1;
    if (fd >= 0) (void)write_all(fd, data);
    if (ch == 3) {
      error_text += data;
      got_status = true;
    }
  }
  stop.cancel();
  ::shutdown(ws.fd(), SHUT_RDWR);
  if (input.joinable()) input.join();
  if (o.resize) o.resize->close();
  if (resize.joinable()) resize.join();
  if (!got_status && version >= 4) return make_error("{}: the connection ended before the command's status arrived", url);
  return exit_code_from_error_stream(version, error_text);
}

}  // namespace berth::crid::streaming
