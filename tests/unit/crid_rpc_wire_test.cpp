// gRPC's framing, grpc-timeout and grpc-message encoding (crid/rpc/wire.h).
#include <gtest/gtest.h>

#include <cerrno>

#include "crid/rpc/wire.h"

using namespace berth::crid::rpc;
using namespace std::chrono;

TEST(CridRpcWire, FrameHasFlagAndBigEndianLength) {
  std::string f = frame_message(std::string(0x010203, 'x'));
  ASSERT_EQ(f.size(), 5u + 0x010203);
  EXPECT_EQ(f[0], '\0');
  EXPECT_EQ(uint8_t(f[1]), 0x00);
  EXPECT_EQ(uint8_t(f[2]), 0x01);
  EXPECT_EQ(uint8_t(f[3]), 0x02);
  EXPECT_EQ(uint8_t(f[4]), 0x03);
  EXPECT_EQ(frame_message(""), std::string(5, '\0'));
}

TEST(CridRpcWire, SingleMessageRoundTrips) {
  auto m = single_message(frame_message("hello"), 100);
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_EQ(*m, "hello");
  auto empty = single_message(frame_message(""), 100);
  ASSERT_TRUE(empty);
  EXPECT_EQ(*empty, "");
}

TEST(CridRpcWire, SingleMessageRejectsBadBodiesByName) {
  auto expect_error = [](std::string body, int code, std::string_view words) {
    auto m = single_message(body, 100);
    ASSERT_FALSE(m) << "accepted " << body.size() << " bytes";
    EXPECT_EQ(m.error().code, code);
    EXPECT_NE(m.error().message.find(words), std::string::npos) << m.error().message;
  };
  expect_error("", EINVAL, "no message");
  expect_error(std::string("\0\0\0", 3), EINVAL, "prefix is cut short");
  expect_error(frame_message("abc").substr(0, 7), EINVAL, "cut short: 2 of 3 bytes");
  expect_error(frame_message("a") + frame_message("b"), EINVAL, "more than one message");
  std::string compressed = frame_message("abc");
  compressed[0] = 1;
  expect_error(compressed, EINVAL, "compressed");
  std::string bad_flag = frame_message("abc");
  bad_flag[0] = 7;
  expect_error(bad_flag, EINVAL, "flag is 7");
  expect_error(frame_message(std::string(101, 'x')), EMSGSIZE, "101 bytes, more than the 100");
}

TEST(CridRpcWire, TimeoutUnits) {
  EXPECT_EQ(parse_timeout("2H"), hours(2));
  EXPECT_EQ(parse_timeout("3M"), minutes(3));
  EXPECT_EQ(parse_timeout("10S"), seconds(10));
  EXPECT_EQ(parse_timeout("1500m"), milliseconds(1500));
  EXPECT_EQ(parse_timeout("99999999u"), microseconds(99999999));
  EXPECT_EQ(parse_timeout("7n"), nanoseconds(7));
  EXPECT_EQ(parse_timeout("99999999H"), nanoseconds::max());
}

TEST(CridRpcWire, TimeoutOutsideTheFormIsIgnored) {
  for (std::string_view bad : {"", "S", "10", "10s", "123456789S", "-1S", "1.5S", "1 S"})
    EXPECT_FALSE(parse_timeout(bad)) << bad;
}

TEST(CridRpcWire, MessagePercentEncoding) {
  EXPECT_EQ(percent_encode("pod \"x\" not found"), "pod \"x\" not found");
  EXPECT_EQ(percent_encode("100%"), "100%25");
  EXPECT_EQ(percent_encode("a\nb"), "a%0Ab");
  EXPECT_EQ(percent_encode("caf\xc3\xa9"), "caf%C3%A9");
}
