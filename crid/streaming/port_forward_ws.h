// Port-forward over WebSocket, as the kubelet's streaming server serves it
// (pkg/kubelet/cri/streaming/portforward/websocket.go): the ports come in the
// URL's query ("port=80&port=8080" or "port=80,8080"); port i gets channel 2i
// for data both ways and 2i+1 for errors (server to client only), each message
// prefixed by its channel byte (a digit with the base64 protocol). The first
// message on each channel is the port number, 2 bytes little-endian. The
// connection ends when every port's connection into the pod has ended or the
// client leaves.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "crid/streaming/backend.h"
#include "crid/streaming/stream_request.h"

namespace berth::crid::streaming {

// The WebSocket subprotocols offered for port-forward; none offered means
// binary framing too.
inline constexpr const char *kWsPortForwardProtocols[] = {"v4.channel.k8s.io", "v4.base64.channel.k8s.io"};

// The "port" query parameters of a request target, in order.
Result<std::vector<uint16_t>> ws_port_forward_ports(std::string_view target);

Result<void> serve_port_forward_ws(Fd sock, std::string extra, bool base64, const std::vector<uint16_t> &ports,
                                   const StreamRequest &request, StreamBackend &backend);

}  // namespace berth::crid::streaming
