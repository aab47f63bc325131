// libFuzzer target: the OCI config parser (config.json text -> Spec).
// A rejection is fine; a crash, hang, leak or sanitizer report is not.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "libcontainer/spec_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto spec = berth::parse_spec(text);
  if (!spec) (void)spec.error().message.size();
  return 0;
}
