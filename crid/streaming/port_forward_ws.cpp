#include "crid/streaming/port_forward_ws.h"

#include <sys/socket.h>

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "crid/log.h"
#include "crid/streaming/http_message.h"
#include "crid/streaming/relay.h"
#include "crid/streaming/websocket_conn.h"

namespace berth::crid::streaming {

Result<std::vector<uint16_t>> ws_port_forward_ports(std::string_view target) {
  std::vector<uint16_t> ports;
  auto q = target.find('?');
  std::string_view query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view param = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (!param.starts_with("port=")) continue;
    std::string_view list = param.substr(5);
    if (list.empty()) return make_error("query parameter \"port\" cannot be empty");
    while (true) {
      auto comma = list.find(',');
      std::string_view p = list.substr(0, comma);
      unsigned v = 0;
      auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), v);
      if (ec != std::errc() || end != p.data() + p.size() || v > 65535)
        return make_error("unable to parse {:?} as a port", std::string(p));
      if (v < 1) return make_error("port {:?} must be > 0", std::string(p));
      ports.push_back(uint16_t(v));
      if (comma == std::string_view::npos) break;
      list.remove_prefix(comma + 1);
    }
  }
  if (ports.empty()) return make_error("query parameter \"port\" is required");
  return ports;
}

Result<void> serve_port_forward_ws(Fd sock, std::string extra, bool base64, const std::vector<uint16_t> &ports,
                                   const StreamRequest &request, StreamBackend &backend) {
  WsConnection ws(std::move(sock), false, std::move(extra));
  WsChannelCodec codec{base64};
  auto send_channel = [&](size_t ch, std::string_view d) -> Result<void> {
    auto [op, msg] = codec.encode(uint8_t(ch), d);
    return ws.send(op, msg);
  };
  for (size_t i = 0; i < ports.size(); ++i) {
    char prefix[2] = {char(ports[i] & 0xff), char(ports[i] >> 8)};
    TRY(send_channel(2 * i, std::string_view(prefix, 2)));
    TRY(send_channel(2 * i + 1, std::string_view(prefix, 2)));
  }
  // One connection into the pod per port; -1 where it failed (its error went out).
  std::vector<Fd> conns(ports.size());
  std::mutex mu;
  std::condition_variable cv;
  bool client_gone = false;
  for (size_t i = 0; i < ports.size(); ++i) {
    Result<Fd> conn = make_error("not tried");
    if (!request.ports.empty() && std::ranges::find(request.ports, int32_t(ports[i])) == request.ports.end())
      conn = make_error("port {} was not asked for in the PortForward request", ports[i]);
    else
      conn = backend.port_forward(request.id, ports[i]);
    if (!conn) {
      std::string msg = fmt::format("error forwarding port {} to pod {}: {}", ports[i], request.id, conn.error().message);
      log::warning("streaming: {}", msg);
      (void)send_channel(2 * i + 1, msg);
      continue;
    }
    conns[i] = std::move(*conn);
  }
  // The client's data for each port, until it closes the connection.
  std::thread reader([&] {
    while (true) {
      auto m = ws.receive();
      if (!m || m->first == WsOpcode::close) break;
      auto cm = codec.decode(m->first, m->second);
      if (!cm) continue;
      auto &[ch, data] = *cm;
      size_t port_index = ch / 2;
      if (ch % 2 != 0 || port_index >= conns.size() || !conns[port_index] || data.empty()) continue;
      (void)write_all(conns[port_index].get(), data);
    }
    {
      std::lock_guard lock(mu);
      client_gone = true;
      for (auto &c : conns)
        if (c) ::shutdown(c.get(), SHUT_RDWR);
    }
    cv.notify_all();
  });
  // The pod's side of each port, until it ends.
  std::vector<std::thread> pumps;
  for (size_t i = 0; i < conns.size(); ++i) {
    if (!conns[i]) continue;
    pumps.emplace_back([&, i] {
      (void)copy_to(conns[i].get(), [&](std::string_view d) { return send_channel(2 * i, d); }, -1);
    });
  }
  for (auto &t : pumps) t.join();
  // Every forward ended: so does the connection, as the kubelet closes it.
  (void)ws.send_close(1000);
  {
    // The client's close in answer, so nothing we sent is lost to a reset.
    std::unique_lock lock(mu);
    cv.wait_for(lock, std::chrono::seconds(5), [&] { return client_gone; });
  }
  ::shutdown(ws.fd(), SHUT_RDWR);
  reader.join();
  return {};
}

}  // namespace berth::crid::streaming
