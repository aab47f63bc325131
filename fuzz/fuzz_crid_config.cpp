// libFuzzer target: crid's TOML config (crid.conf text), read then validated
// as crid does at startup.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "crid/config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view text(reinterpret_cast<const char *>(data), size);
  berth::crid::Config config;
  if (!berth::crid::load_config_text(text, "crid.conf", config)) return 0;
  (void)berth::crid::validate(config);
  (void)config.socket_path();
  (void)config.is_insecure("127.0.0.1:5000");
  return 0;
}
