// What the image store remembers about a pulled image, and the small interface
// that keeps those records (a JSON file here; crid may back it with SQLite).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "libcontainer/result.h"

namespace berth::images {

// The parts of an OCI image config that containers need later.
struct ImageConfig {
  std::string os;            // "linux"
  std::string architecture;  // "amd64"
  std::string variant;       // "v8", or empty
  std::string user;          // "1000:1000", "nobody", or empty
  std::vector<std::string> env;         // "KEY=value"
  std::vector<std::string> entrypoint;
  std::vector<std::string> cmd;
  std::string working_dir;
  std::vector<std::string> exposed_ports;  // "80/tcp", sorted
  std::vector<std::string> volumes;        // sorted
  std::map<std::string, std::string> labels;
  std::string stop_signal;  // "SIGTERM", or empty
  std::string created;      // RFC 3339 as the image says, or empty
};

struct LayerRecord {
  std::string digest;      // "sha256:<hex>" of the blob as stored (compressed)
  std::string diff_id;     // "sha256:<hex>" of the uncompressed tar (from the config)
  std::string media_type;  // as the manifest names it
  uint64_t size = 0;       // compressed size in bytes
};

struct ImageRecord {
  std::string id;               // "sha256:<hex>" of the config blob (the image id, as CRI shows it)
  std::string manifest_digest;  // "sha256:<hex>" of the platform manifest
  std::string index_digest;     // "sha256:<hex>" of the index/manifest list pulled, or empty
  std::string manifest_media_type;
  std::vector<std::string> repo_tags;     // "docker.io/library/busybox:latest"
  std::vector<std::string> repo_digests;  // "docker.io/library/busybox@sha256:<hex>"
  std::vector<LayerRecord> layers;        // bottom first
  uint64_t size = 0;                      // config + layers, compressed bytes
  int64_t pulled_at_ns = 0;               // wall clock, nanoseconds since the epoch
  ImageConfig config;
};

// Adds name to a record's list (repo_tags, repo_digests) unless it is empty or there.
void add_name(std::vector<std::string> &names, const std::string &name);
// Now, as pulled_at_ns and FsUsage count it: nanoseconds since the epoch.
int64_t wall_clock_ns();

// A record as JSON text and back: the stable serialised form (also what a
// SQLite-backed store can keep in one column).
std::string record_to_json(const ImageRecord &record);
Result<ImageRecord> record_from_json(std::string_view text);

// Where image records live. Implementations need not be thread-safe:
// ImageService serialises calls.
class RecordStore {
 public:
  virtual ~RecordStore() = default;
  virtual Result<std::vector<ImageRecord>> load_all() = 0;
  // Inserts, or replaces the record with the same id.
  virtual Result<void> put(const ImageRecord &record) = 0;
  // Removing an id that is not there is not an error.
  virtual Result<void> erase(const std::string &id) = 0;
};

// Records in one JSON file, rewritten atomically (temp file, fsync, rename).
std::unique_ptr<RecordStore> make_json_record_store(std::string path);

}  // namespace berth::images
