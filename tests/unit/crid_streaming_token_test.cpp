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
