#include <gtest/gtest.h>

#include "crid/streaming/token_store.h"

using namespace berth::crid::streaming;
using namespace std::chrono_literals;

TEST(StreamTokens, SingleUse) {
  TokenStore store(1min);
  StreamRequest r;
  r.id = "c1";
  r.cmd = {"ls"};
  auto t0 = TokenStore::Clock::now();
  std::string token = store.issue(r, t0);
  EXPECT_GE(token.size(), 40u);
  auto got = store.take(token, t0 + 1s);
  ASSERT_TRUE(got);
  EXPECT_EQ(got->id, "c1");
  auto again = store.take(token, t0 + 2s);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message.find("already used"), std::string::npos);
}

TEST(StreamTokens, Expire) {
  TokenStore store(1min);
  auto t0 = TokenStore::Clock::now();
  std::string token = store.issue({}, t0);
  auto late = store.take(token, t0 + 61s);
  ASSERT_FALSE(late);
  EXPECT_NE(late.error().message.find("expired"), std::string::npos);
}

TEST(StreamTokens, ExpiredOnesAreDroppedAndTokensDiffer) {
  TokenStore store(10s);
  auto t0 = TokenStore::Clock::now();
  std::string a = store.issue({}, t0);
  std::string b = store.issue({}, t0);
  EXPECT_NE(a, b);
  store.issue({}, t0 + 20s);
  EXPECT_EQ(store.size(), 1u);
}

#include "crid/config.h"

TEST(StreamConfig, FileAndFlags) {
  berth::crid::Config c;
  ASSERT_TRUE(berth::crid::load_config_text("stream_address = \"0.0.0.0\"\nstream_port = 10010\n", "t", c));
  EXPECT_EQ(c.stream_address, "0.0.0.0");
  EXPECT_EQ(c.stream_port, 10010);
  EXPECT_FALSE(berth::crid::load_config_text("stream_port = 70000\n", "t", c));
  std::vector<std::string> args{"crid", "--stream-port", "4000", "--stream-idle-timeout", "60"};
  auto inv = berth::crid::parse_command_line(args);
  ASSERT_TRUE(inv) << inv.error().message;
  EXPECT_EQ(inv->config.stream_port, 4000);
  EXPECT_EQ(inv->config.stream_idle_timeout, 60);
  args[2] = "x";
  EXPECT_FALSE(berth::crid::parse_command_line(args));
}
