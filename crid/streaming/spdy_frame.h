// SPDY/3.1 framing, as the Kubernetes streaming protocols use it (docker's
// spdystream): control frames (SYN_STREAM, SYN_REPLY, RST_STREAM, SETTINGS,
// PING, GOAWAY, HEADERS, WINDOW_UPDATE) and DATA frames. Header blocks are
// zlib-compressed with the SPDY/3 dictionary, one compression context per
// direction for the whole connection, so a HeaderCodec lives as long as the
// connection and every block goes through it in order.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "libcontainer/result.h"

namespace berth::crid::streaming {

enum class SpdyType : uint16_t {
  data = 0,  // not a control frame type: DATA frames carry no type
  syn_stream = 1,
  syn_reply = 2,
  rst_stream = 3,
  settings = 4,
  ping = 6,
  goaway = 7,
  headers = 8,
  window_update = 9,
};

inline constexpr uint8_t kSpdyFlagFin = 0x01;
inline constexpr uint8_t kSpdyFlagUnidirectional = 0x02;
inline constexpr uint32_t kSpdyRstCancel = 5;
inline constexpr uint32_t kSpdyRstProtocolError = 1;
inline constexpr size_t kSpdyMaxFrameLength = 0xffffff;

// Header names are lowercase on the wire (SPDY/3 requires it); values may hold
// several NUL-separated values, kept as one string here.
using SpdyHeaders = std::vector<std::pair<std::string, std::string>>;

std::string_view header_value(const SpdyHeaders &headers, std::string_view name);

struct SpdyFrame {
  SpdyType type = SpdyType::data;
  uint8_t flags = 0;
  uint32_t stream_id = 0;        // DATA, SYN_*, RST, HEADERS, WINDOW_UPDATE; GOAWAY's last good id
  uint32_t associated_id = 0;    // SYN_STREAM
  uint8_t priority = 0;          // SYN_STREAM
  uint32_t status = 0;           // RST_STREAM, GOAWAY
  uint32_t value = 0;            // PING id, WINDOW_UPDATE delta
  std::vector<std::pair<uint32_t, uint32_t>> settings;  // SETTINGS: (id, value)
  SpdyHeaders headers;           // SYN_STREAM, SYN_REPLY, HEADERS (decoded)
  std::string data;              // DATA payload
  bool fin() const { return flags & kSpdyFlagFin; }
};

// The SPDY/3 header compression dictionary (spec section 2.6.10.1).
std::span<const unsigned char> spdy3_dictionary();

// zlib state for one connection: a deflate stream for the blocks we send and
// an inflate stream for the blocks we receive.
class HeaderCodec {
 public:
  HeaderCodec();
  ~HeaderCodec();
  HeaderCodec(const HeaderCodec &) = delete;
  HeaderCodec &operator=(const HeaderCodec &) = delete;

  Result<std::string> compress(const SpdyHeaders &headers);
  Result<SpdyHeaders> decompress(std::string_view block);

 private:
  z_stream deflate_{};
  z_stream inflate_{};
  bool deflate_ok_ = false;
  bool inflate_ok_ = false;
};

// The uncompressed name/value block: count, then length-prefixed names and values.
std::string encode_header_block(const SpdyHeaders &headers);
Result<SpdyHeaders> decode_header_block(std::string_view block);

// Serialises a frame; header blocks go through the codec.
Result<std::string> encode_spdy_frame(const SpdyFrame &frame, HeaderCodec &codec);

// Parses one frame from the front of buf. Returns the number of bytes used, or
// 0 when buf does not yet hold a whole frame. Unknown control frames decode as
// type with no payload fields (callers ignore them, as the spec asks).
Result<size_t> decode_spdy_frame(std::string_view buf, HeaderCodec &codec, SpdyFrame &out);

}  // namespace berth::crid::streaming
