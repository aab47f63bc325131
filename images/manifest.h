// OCI / Docker schema2 manifests, indexes (manifest lists) and image configs,
// parsed into what a pull needs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "images/image_record.h"
#include "images/image_service.h"
#include "libcontainer/result.h"

namespace berth::images {

inline constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
inline constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
inline constexpr std::string_view kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
inline constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = -1;
  Platform platform;  // for index entries
  bool has_platform = false;
};

struct Manifest {
  std::string media_type;
  Descriptor config;
  std::vector<Descriptor> layers;
};

struct Index {
  std::string media_type;
  std::vector<Descriptor> manifests;
};

enum class ManifestKind { index, manifest };
// From the document's mediaType, else the Content-Type, else its shape.
// EINVAL for schema1 and unknown documents.
Result<ManifestKind> manifest_kind(std::string_view body, std::string_view content_type);
Result<Index> parse_index(std::string_view body);
Result<Manifest> parse_manifest(std::string_view body);
// The entry for platform (variant matched when both sides name one); ENOENT
// with the platforms on offer when none fits.
Result<Descriptor> select_platform(const Index &index, const Platform &platform);

struct ParsedConfig {
  ImageConfig config;
  std::vector<std::string> diff_ids;
};
Result<ParsedConfig> parse_image_config(std::string_view body);

enum class Compression { none, gzip, zstd };
// EINVAL for media types that are not layers we can unpack.
Result<Compression> layer_compression(std::string_view media_type);

}  // namespace berth::images
