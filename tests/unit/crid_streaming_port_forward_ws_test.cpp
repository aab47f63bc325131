#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "crid/streaming/idle_watch.h"
#include "crid/streaming/port_forward_ws.h"

using namespace berth::crid::streaming;

TEST(WsPortForwardPorts, RepeatedAndCommaSeparatedInOrder) {
  auto p = ws_port_forward_ports("/portforward/TOKEN?port=80&x=1&port=8080,9090");
  ASSERT_TRUE(p) << p.error().message;
  EXPECT_EQ(*p, (std::vector<uint16_t>{80, 8080, 9090}));
}

TEST(WsPortForwardPorts, RefusesWhatTheKubeletRefuses) {
  EXPECT_FALSE(ws_port_forward_ports("/portforward/TOKEN"));
  EXPECT_FALSE(ws_port_forward_ports("/portforward/TOKEN?port="));
  EXPECT_FALSE(ws_port_forward_ports("/portforward/TOKEN?port=0"));
  EXPECT_FALSE(ws_port_forward_ports("/portforward/TOKEN?port=65536"));
  auto bad = ws_port_forward_ports("/portforward/TOKEN?port=http");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("\"http\""), std::string::npos);
}

TEST(IdleWatch, NotATcpSocketHasNoIdleTime) {
  int sv[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
  EXPECT_FALSE(tcp_idle_time(sv[0]).has_value());
  ::close(sv[0]);
  ::close(sv[1]);
}

TEST(IdleWatch, CheckIntervalIsAQuarterOfTheTimeoutWithinBounds) {
  using std::chrono::milliseconds;
  EXPECT_EQ(idle_check_interval(milliseconds(2000)), milliseconds(500));
  EXPECT_EQ(idle_check_interval(milliseconds(100)), milliseconds(50));
  EXPECT_EQ(idle_check_interval(std::chrono::hours(4)), milliseconds(1000));
}
