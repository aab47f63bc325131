// libFuzzer target: the container state file reader (state.json text ->
// ContainerState), as StateDir::load() does it, plus the round trip back.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <nlohmann/json.hpp>

#include "libcontainer/state.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return 0;
  auto state = berth::state_from_json(j);
  if (state) (void)berth::state_to_json(*state).dump();
  return 0;
}
