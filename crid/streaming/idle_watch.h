// Ends streaming connections that carried no data in either direction for
// the configured time (stream_idle_timeout), as the kubelet's and containerd's
// streaming servers do. The kernel already keeps, per TCP socket, how long ago
// data was last sent and received (TCP_INFO), so the protocol code needs no
// hooks: one thread looks at every connection now and then and shuts the idle
// ones down, which ends their sessions like a client that left.
#pragma once

#include <chrono>
#include <optional>

namespace berth::crid::streaming {

// Milliseconds since data last went either way on a connected TCP socket;
// nullopt when fd is not one.
std::optional<std::chrono::milliseconds> tcp_idle_time(int fd);

// How often to look, for a given timeout: often enough that a connection
// outlives its timeout by at most a quarter of it (and at most a second).
std::chrono::milliseconds idle_check_interval(std::chrono::milliseconds timeout);

}  // namespace berth::crid::streaming
