// libFuzzer target: registry documents: manifest kind detection, OCI/Docker
// indexes and manifests, platform selection, image configs, layer media types.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "images/manifest.h"

using namespace berth::images;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view body(reinterpret_cast<const char *>(data), size);
  (void)manifest_kind(body, "");
  (void)manifest_kind(body, kOciManifest);
  if (auto index = parse_index(body)) {
    (void)select_platform(*index, Platform{});
    for (auto &d : index->manifests) (void)layer_compression(d.media_type);
  }
  if (auto manifest = parse_manifest(body)) {
    for (auto &layer : manifest->layers) (void)layer_compression(layer.media_type);
  }
  (void)parse_image_config(body);
  return 0;
}
