// libFuzzer target: the SPDY/3.1 frame reader of the streaming server
// (frames, zlib-compressed header blocks with the SPDY dictionary), read as a
// connection would deliver them, one after the other with one header codec.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crid/streaming/spdy_frame.h"

using namespace berth::crid::streaming;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view input(reinterpret_cast<const char *>(data), size);
  HeaderCodec codec;
  HeaderCodec encoder;
  std::string_view buf = input;
  while (!buf.empty()) {
    SpdyFrame frame;
    auto used = decode_spdy_frame(buf, codec, frame);
    if (!used || *used == 0) break;
    // The reader may never claim more than it was given.
    if (*used > buf.size()) __builtin_trap();
    (void)header_value(frame.headers, ":status");
    (void)encode_spdy_frame(frame, encoder);
    buf.remove_prefix(*used);
  }
  // An uncompressed header block on its own.
  (void)decode_header_block(input);
  return 0;
}
