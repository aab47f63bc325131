// libFuzzer target: a CNI plugin's stdout, as crid reads it after ADD (the
// result in every version's form) or after a failure (the error object),
// and the result written back as the next plugin's prevResult.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "netns/cni_result.h"

using namespace berth::netns;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  (void)parse_error(text);
  auto result = parse_result_text(text);
  if (!result) return 0;
  (void)pod_ips(*result);
  for (std::string_view version : {"1.0.0", "0.4.0", "0.3.1"}) {
    // What crid writes as prevResult must read back.
    auto json = result_to_json(*result, version);
    if (!parse_result(json)) __builtin_trap();
  }
  return 0;
}
