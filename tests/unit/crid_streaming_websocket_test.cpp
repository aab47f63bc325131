#include <gtest/gtest.h>

#include "crid/streaming/websocket_frame.h"

using namespace berth::crid::streaming;

TEST(WebSocketFrame, AcceptKeyOfRfc6455Example) {
  EXPECT_EQ(ws_accept_key("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
}

TEST(WebSocketFrame, MaskedFrameRoundTrips) {
  std::string payload = "\x01hello";
  auto wire = encode_ws_frame(WsOpcode::binary, payload, true, 0x37fa213d);
  EXPECT_EQ(uint8_t(wire[1]) & 0x80, 0x80);
  EXPECT_EQ(wire.find("hello"), std::string::npos);  // masked on the wire
  WsFrame f;
  auto used = decode_ws_frame(wire, f);
  ASSERT_TRUE(used);
  EXPECT_EQ(*used, wire.size());
  EXPECT_TRUE(f.masked);
  EXPECT_EQ(f.payload, payload);
}

TEST(WebSocketFrame, LengthEncodings) {
  for (size_t n : {0ul, 125ul, 126ul, 65535ul, 65536ul, 1ul << 20}) {
    std::string p(n, 'a');
    auto wire = encode_ws_frame(WsOpcode::binary, p);
    WsFrame f;
    auto used = decode_ws_frame(wire, f);
    ASSERT_TRUE(used);
    EXPECT_EQ(*used, wire.size()) << n;
    EXPECT_EQ(f.payload.size(), n);
    WsFrame g;
    EXPECT_EQ(*decode_ws_frame(std::string_view(wire).substr(0, wire.size() - 1), g), 0u) << n;
  }
}

TEST(WebSocketFrame, FragmentsReassembleAroundControlFrames) {
  WsMessageAssembler a;
  std::string wire = encode_ws_frame(WsOpcode::binary, "\x01" "ab", false) +
                     encode_ws_frame(WsOpcode::ping, "p") +
                     encode_ws_frame(WsOpcode::continuation, "cd", false) +
                     encode_ws_frame(WsOpcode::continuation, "ef", true);
  std::string_view rest = wire;
  std::vector<std::pair<WsOpcode, std::string>> got;
  while (!rest.empty()) {
    WsFrame f;
    size_t n = *decode_ws_frame(rest, f);
    rest.remove_prefix(n);
    WsOpcode op;
    std::string msg;
    auto done = a.feed(std::move(f), op, msg);
    ASSERT_TRUE(done);
    if (*done) got.emplace_back(op, msg);
  }
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].first, WsOpcode::ping);
  EXPECT_EQ(got[1].first, WsOpcode::binary);
  EXPECT_EQ(got[1].second, "\x01" "abcdef");
}

TEST(WebSocketFrame, RejectsFragmentedControlAndStrayContinuation) {
  WsFrame f;
  EXPECT_FALSE(decode_ws_frame(encode_ws_frame(WsOpcode::ping, "x", false), f));
  WsMessageAssembler a;
  WsOpcode op;
  std::string msg;
  WsFrame c;
  c.opcode = WsOpcode::continuation;
  EXPECT_FALSE(a.feed(c, op, msg));
}

TEST(WebSocketFrame, Base64) {
  for (std::string s : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto back = base64_decode(base64_encode(s));
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, s);
  }
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
}
