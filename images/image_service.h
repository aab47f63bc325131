// ImageService: the image side of crid. Pulls images from registries into a
// content-addressed store, keeps records of them, and hands out their layers
// unpacked as overlayfs lower directories.
//
// Thread-safe: crid's gRPC threads may call every method concurrently.
// Concurrent pulls of one image, or of images sharing layers, fetch each blob once.
//
// Errors carry an errno in Error::code that crid maps to gRPC status codes:
//   ENOENT  -> NotFound         (no such image; manifest or blob unknown to the registry)
//   EINVAL  -> InvalidArgument  (a reference that does not parse)
//   EACCES  -> PermissionDenied / Unauthenticated (registry refused the credentials)
//   EBADMSG -> DataLoss         (digest mismatch, malformed manifest)
//   anything else -> Internal / Unavailable
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "images/image_record.h"
#include "images/pull_progress.h"
#include "libcontainer/result.h"

namespace berth::images {

// Credentials for one pull (CRI's AuthConfig). Empty means anonymous.
struct Auth {
  std::string username;
  std::string password;
  std::string auth;            // base64("user:password"), used when username is empty
  std::string identity_token;  // OAuth2 refresh token for the registry's token server
  std::string registry_token;  // a bearer token to send as is
  bool empty() const {
    return username.empty() && password.empty() && auth.empty() && identity_token.empty() &&
           registry_token.empty();
  }
};

struct Platform {
  std::string os = "linux";
  std::string architecture = "amd64";
  std::string variant;  // empty: any
};

struct RegistryOptions {
  bool insecure = false;              // plain HTTP (and unverified TLS) allowed
  std::vector<std::string> mirrors;   // tried in order before the registry itself:
                                      // "host[:port]" or "http(s)://host[:port]"
};

struct ServiceOptions {
  std::string root = "/var/lib/crid/images";  // blobs/, layers/, records.json live here
  std::string default_registry = "docker.io"; // for short names ("busybox")
  // Keyed by "host[:port]" as references name them ("docker.io", "127.0.0.1:5000").
  std::map<std::string, RegistryOptions> registries;
  Platform platform;
  std::string user_agent = "berth-crid/0.1";
  long connect_timeout_seconds = 30;
  // Records backend; null means a JSON file <root>/records.json.
  std::unique_ptr<RecordStore> records;
};

struct FsUsage {
  std::string mountpoint;  // the store root
  uint64_t bytes = 0;      // bytes used by blobs and unpacked layers
  uint64_t inodes = 0;     // inodes used by them
  int64_t timestamp_ns = 0;
};

class ImageService {
 public:
  static Result<std::unique_ptr<ImageService>> open(ServiceOptions options);
  virtual ~ImageService() = default;

  // Pulls ref ("busybox", "docker.io/library/busybox:1.36", "host:5000/x@sha256:..."),
  // verifies every blob, unpacks its layers, and records it under its tag/digest.
  // observer (may be null) hears how each layer gets on.
  virtual Result<ImageRecord> pull(const std::string &ref, const Auth &auth, PullObserver *observer = nullptr) = 0;
  virtual Result<std::vector<ImageRecord>> list() = 0;
  // ref_or_id: a reference (normalised as pull does), a full "sha256:<hex>" id,
  // the bare hex id, or an unambiguous id prefix of at least 12 hex digits.
  // ENOENT when no image matches.
  virtual Result<ImageRecord> status(const std::string &ref_or_id) = 0;
  // By reference: removes that tag; the image goes when no tag or digest is left.
  // By id: removes the image with all its names. Blobs and unpacked layers no
  // image references any more are deleted. ENOENT when no image matches.
  // (Whether a container still uses the image is crid's check, made before this call.)
  virtual Result<void> remove(const std::string &ref_or_id) = 0;
  virtual Result<FsUsage> fs_info() = 0;

  // The image's unpacked layers, cached under <root>/layers/<diffid-hex>/, as
  // overlayfs wants lowerdir=: TOPMOST FIRST. Unpacks any that are missing.
  virtual Result<std::vector<std::string>> layer_dirs(const std::string &image_id) = 0;
  // Unpacks all layers of the image, bottom first, into dest_dir (created if
  // missing; a copy, for runtimes that cannot use overlay). Returns dest_dir.
  virtual Result<std::string> prepare_rootfs(const std::string &image_id,
                                             const std::string &dest_dir) = 0;
};

}  // namespace berth::images
