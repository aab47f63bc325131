// libFuzzer target: image reference parsing. What parses must print in a
// canonical form that parses back to the same reference.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "images/reference.h"

using namespace berth::images;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  (void)looks_like_image_id(text);
  auto ref = parse_reference(text);
  if (!ref) return 0;
  auto again = parse_reference(ref->str());
  if (!again || again->str() != ref->str()) abort();
  return 0;
}
