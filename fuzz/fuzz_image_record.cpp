// libFuzzer target: the image store's record reader (record_from_json) and
// its round trip: what it accepts must serialise and read back the same.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "images/image_record.h"

using namespace berth::images;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto record = record_from_json(text);
  if (!record) return 0;
  std::string once = record_to_json(*record);
  auto again = record_from_json(once);
  if (!again || record_to_json(*again) != once) abort();
  return 0;
}
