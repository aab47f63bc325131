// libFuzzer target: the gRPC details crid reads above HTTP/2
// (crid/rpc/wire.h): a request body as single_message reads it, which must
// frame back to the same bytes when accepted; a grpc-timeout value; and the
// grpc-message encoding, which must give printable ASCII that decodes back.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "crid/rpc/wire.h"

using namespace berth::crid::rpc;

namespace {
int hex(char c) { return c <= '9' ? c - '0' : c - 'A' + 10; }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  if (auto m = single_message(text, 1 << 16)) {
    if (frame_message(*m) != text) __builtin_trap();
  }
  if (auto t = parse_timeout(text)) {
    if (t->count() < 0) __builtin_trap();
  }
  std::string encoded = percent_encode(text);
  std::string decoded;
  for (size_t i = 0; i < encoded.size(); ++i) {
    char c = encoded[i];
    if (c < 0x20 || c > 0x7e) __builtin_trap();
    if (c != '%') {
      decoded.push_back(c);
      continue;
    }
    if (i + 2 >= encoded.size()) __builtin_trap();
    decoded.push_back(char(hex(encoded[i + 1]) * 16 + hex(encoded[i + 2])));
    i += 2;
  }
  if (decoded != text) __builtin_trap();
  return 0;
}
