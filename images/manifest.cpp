#include "images/manifest.h"

#include <algorithm>
#include <climits>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace berth::images {

using nlohmann::json;

namespace {

std::unexpected<Error> malformed(std::string_view what, std::string_view why) {
  return std::unexpected(Error{EBADMSG, fmt::format("malformed {}: {}", what, why)});
}

Descriptor descriptor_from(const json &j) {
  Descriptor d;
  d.media_type = j.value("mediaType", "");
  d.digest = j.at("digest").get<std::string>();
  if (j.contains("size")) {
    // Not j.value("size", int64_t{-1}): nlohmann converts a JSON float with a
    // plain cast, undefined behaviour when out of range (fuzz_manifest:
    // "size": 1e300). A size is an integer; anything else is malformed.
    const json &size = j["size"];
    if (!size.is_number_integer() || (size.is_number_unsigned() && size.get<uint64_t>() > INT64_MAX))
      throw std::invalid_argument(fmt::format("size: expected an integer, got {}", size.dump()));
    d.size = size.get<int64_t>();
  }
  if (j.contains("platform") && j["platform"].is_object()) {
    const json &p = j["platform"];
    d.has_platform = true;
    d.platform.os = p.value("os", "");
    d.platform.architecture = p.value("architecture", "");
    d.platform.variant = p.value("variant", "");
  }
  return d;
}

}  // namespace

Result<ManifestKind> manifest_kind(std::string_view body, std::string_view content_type) {
  json j;
  try {
    j = json::parse(body);
  } catch (const json::exception &e) {
    return malformed("manifest", e.what());
  }
  if (!j.is_object()) return malformed("manifest", "not a JSON object");
  std::string mt = j.value("mediaType", "");
  if (mt.empty()) mt = std::string(content_type.substr(0, content_type.find(';')));
  if (mt == kOciIndex || mt == kDockerList) return ManifestKind::index;
  if (mt == kOciManifest || mt == kDockerManifest) return ManifestKind::manifest;
  if ((j.contains("schemaVersion") && j["schemaVersion"] == 1) || mt.find("manifest.v1") != std::string::npos)
    return std::unexpected(Error{EINVAL, "Docker schema 1 manifests are not supported (push the image again with a current client)"});
  if (j.contains("manifests")) return ManifestKind::index;
  if (j.contains("layers") && j.contains("config")) return ManifestKind::manifest;
  return std::unexpected(Error{EINVAL, fmt::format("unsupported manifest media type \"{}\"", mt)});
}

Result<Index> parse_index(std::string_view body) {
  try {
    json j = json::parse(body);
    Index idx;
    idx.media_type = j.value("mediaType", std::string(kOciIndex));
    for (auto &m : j.at("manifests")) idx.manifests.push_back(descriptor_from(m));
    return idx;
  } catch (const std::exception &e) {  // json::exception, or descriptor_from's invalid_argument
    return malformed("image index", e.what());
  }
}

Result<Manifest> parse_manifest(std::string_view body) {
  try {
    json j = json::parse(body);
    Manifest m;
    m.media_type = j.value("mediaType", std::string(kOciManifest));
    m.config = descriptor_from(j.at("config"));
    for (auto &l : j.at("layers")) m.layers.push_back(descriptor_from(l));
    return m;
  } catch (const std::exception &e) {  // json::exception, or descriptor_from's invalid_argument
    return malformed("image manifest", e.what());
  }
}

Result<Descriptor> select_platform(const Index &index, const Platform &want) {
  const Descriptor *best = nullptr;
  std::string offered;
  for (auto &d : index.manifests) {
    if (!d.has_platform) continue;
    std::string name = d.platform.os + "/" + d.platform.architecture +
                       (d.platform.variant.empty() ? "" : "/" + d.platform.variant);
    offered += (offered.empty() ? "" : ", ") + name;
    if (d.platform.os != want.os || d.platform.architecture != want.architecture) continue;
    if (!want.variant.empty() && !d.platform.variant.empty() && want.variant != d.platform.variant) continue;
    // An exact variant match beats an entry that names none.
    if (!best || (!want.variant.empty() && d.platform.variant == want.variant)) best = &d;
  }
  if (best) return *best;
  std::string want_name = want.os + "/" + want.architecture + (want.variant.empty() ? "" : "/" + want.variant);
  return std::unexpected(Error{ENOENT, fmt::format("no image for platform {} in the index (it has: {})", want_name,
                                                   offered.empty() ? "none" : offered)});
}

Result<ParsedConfig> parse_image_config(std::string_view body) {
  try {
    json j = json::parse(body);
    ParsedConfig pc;
    ImageConfig &c = pc.config;
    c.os = j.value("os", "");
    c.architecture = j.value("architecture", "");
    c.variant = j.value("variant", "");
    c.created = j.value("created", "");
    if (j.contains("config") && j["config"].is_object()) {
      const json &cfg = j["config"];
      auto strings = [&](const char *key) {
        std::vector<std::string> v;
        if (cfg.contains(key) && cfg[key].is_array())
          for (auto &s : cfg[key]) v.push_back(s.get<std::string>());
        return v;
      };
      auto keys = [&](const char *key) {
        std::vector<std::string> v;
        if (cfg.contains(key) && cfg[key].is_object())
          for (auto &[k, _] : cfg[key].items()) v.push_back(k);
        std::sort(v.begin(), v.end());
        return v;
      };
      auto str = [&](const char *key) {
        return cfg.contains(key) && cfg[key].is_string() ? cfg[key].get<std::string>() : std::string();
      };
      c.user = str("User");
      c.env = strings("Env");
      c.entrypoint = strings("Entrypoint");
      c.cmd = strings("Cmd");
      c.working_dir = str("WorkingDir");
      c.stop_signal = str("StopSignal");
      c.exposed_ports = keys("ExposedPorts");
      c.volumes = keys("Volumes");
      if (cfg.contains("Labels") && cfg["Labels"].is_object())
        for (auto &[k, v] : cfg["Labels"].items())
          if (v.is_string()) c.labels[k] = v.get<std::string>();
    }
    for (auto &d : j.at("rootfs").at("diff_ids")) pc.diff_ids.push_back(d.get<std::string>());
    return pc;
  } catch (const json::exception &e) {
    return malformed("image config", e.what());
  }
}

Result<Compression> layer_compression(std::string_view mt) {
  if (mt == "application/vnd.oci.image.layer.v1.tar" || mt == "application/vnd.oci.image.layer.nondistributable.v1.tar")
    return Compression::none;
  if (mt == "application/vnd.oci.image.layer.v1.tar+gzip" ||
      mt == "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip" ||
      mt == "application/vnd.docker.image.rootfs.diff.tar.gzip" ||
      mt == "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip")
    return Compression::gzip;
  if (mt == "application/vnd.oci.image.layer.v1.tar+zstd" ||
      mt == "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd")
    return Compression::zstd;
  return std::unexpected(Error{EINVAL, fmt::format("unsupported layer media type \"{}\"", mt)});
}

}  // namespace berth::images
