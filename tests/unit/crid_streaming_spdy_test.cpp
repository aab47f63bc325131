#include <gtest/gtest.h>

#include "crid/streaming/spdy_frame.h"

using namespace berth::crid::streaming;

TEST(SpdyFrame, DictionaryIsSpdy3s) {
  auto d = spdy3_dictionary();
  ASSERT_EQ(d.size(), 1423u);
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(d.data()) + 4, 7), "options");
  EXPECT_EQ(std::string(reinterpret_cast<const char *>(d.data()) + d.size() - 6, 6), "enq=0.");
}

TEST(SpdyFrame, HeaderBlockRoundTripsThroughZlibWithTheDictionary) {
  HeaderCodec a, b;
  SpdyHeaders h{{"streamtype", "stdout"}, {"port", "8080"}, {"requestid", "0"}};
  for (int i = 0; i < 3; ++i) {  // the contexts carry over from block to block
    auto block = a.compress(h);
    ASSERT_TRUE(block) << block.error().message;
    auto back = b.decompress(*block);
    ASSERT_TRUE(back) << back.error().message;
    EXPECT_EQ(*back, h);
  }
}

TEST(SpdyFrame, SynStreamEncodesAndDecodes) {
  HeaderCodec tx, rx;
  SpdyFrame f;
  f.type = SpdyType::syn_stream;
  f.stream_id = 5;
  f.flags = kSpdyFlagFin;
  f.headers = {{"streamtype", "error"}};
  auto bytes = encode_spdy_frame(f, tx);
  ASSERT_TRUE(bytes);
  EXPECT_EQ(uint8_t((*bytes)[0]), 0x80);
  EXPECT_EQ((*bytes)[1], 3);
  EXPECT_EQ((*bytes)[3], 1);
  SpdyFrame out;
  // Incomplete input is not an error: the reader waits for more.
  auto partial = decode_spdy_frame(std::string_view(*bytes).substr(0, bytes->size() - 1), rx, out);
  ASSERT_TRUE(partial);
  EXPECT_EQ(*partial, 0u);
  auto used = decode_spdy_frame(*bytes, rx, out);
  ASSERT_TRUE(used) << used.error().message;
  EXPECT_EQ(*used, bytes->size());
  EXPECT_EQ(out.type, SpdyType::syn_stream);
  EXPECT_EQ(out.stream_id, 5u);
  EXPECT_TRUE(out.fin());
  EXPECT_EQ(header_value(out.headers, "streamtype"), "error");
}

TEST(SpdyFrame, DataAndControlFrames) {
  HeaderCodec tx, rx;
  std::string wire;
  SpdyFrame d;
  d.type = SpdyType::data;
  d.stream_id = 3;
  d.data = std::string(100000, 'x');
  wire += *encode_spdy_frame(d, tx);
  SpdyFrame rst;
  rst.type = SpdyType::rst_stream;
  rst.stream_id = 3;
  rst.status = kSpdyRstCancel;
  wire += *encode_spdy_frame(rst, tx);
  SpdyFrame ping;
  ping.type = SpdyType::ping;
  ping.value = 7;
  wire += *encode_spdy_frame(ping, tx);
  SpdyFrame settings;
  settings.type = SpdyType::settings;
  settings.settings = {{7, 65536}};
  wire += *encode_spdy_frame(settings, tx);

  std::string_view rest = wire;
  SpdyFrame f;
  size_t n = *decode_spdy_frame(rest, rx, f);
  EXPECT_EQ(f.type, SpdyType::data);
  EXPECT_EQ(f.data.size(), 100000u);
  rest.remove_prefix(n);
  n = *decode_spdy_frame(rest, rx, f);
  EXPECT_EQ(f.type, SpdyType::rst_stream);
  EXPECT_EQ(f.status, kSpdyRstCancel);
  rest.remove_prefix(n);
  n = *decode_spdy_frame(rest, rx, f);
  EXPECT_EQ(f.type, SpdyType::ping);
  EXPECT_EQ(f.value, 7u);
  rest.remove_prefix(n);
  n = *decode_spdy_frame(rest, rx, f);
  EXPECT_EQ(f.type, SpdyType::settings);
  ASSERT_EQ(f.settings.size(), 1u);
  EXPECT_EQ(f.settings[0].second, 65536u);
  rest.remove_prefix(n);
  EXPECT_TRUE(rest.empty());
}

TEST(SpdyFrame, RejectsOtherVersionsAndCorruptBlocks) {
  HeaderCodec rx;
  SpdyFrame f;
  std::string v2("\x80\x02\x00\x06\x00\x00\x00\x04\x00\x00\x00\x01", 12);
  EXPECT_FALSE(decode_spdy_frame(v2, rx, f));
  std::string bad_block("\x80\x03\x00\x02\x00\x00\x00\x08\x00\x00\x00\x01garb", 16);
  EXPECT_FALSE(decode_spdy_frame(bad_block, rx, f));
}
