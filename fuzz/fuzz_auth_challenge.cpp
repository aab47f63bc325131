// libFuzzer target: WWW-Authenticate challenge parsing (header text from any
// registry, or anything on the path to it).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "images/auth_challenge.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view header(reinterpret_cast<const char *>(data), size);
  for (auto &c : berth::images::parse_auth_challenges(header)) (void)c.param("realm");
  return 0;
}
