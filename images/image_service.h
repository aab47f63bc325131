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

#include "images/fetcher.h"
#include "images/image_record.h"
#include "images/pull_progress.h"
#include "libcontainer/result.h"

namespace berth::images {

struct ServiceOptions : FetchOptions {
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
  // The store under options.root, pulling through fetcher.
  static Result<std::unique_ptr<ImageService>> open(ServiceOptions options, std::unique_ptr<Fetcher> fetcher);
  // The same with a fetcher in this process (images/local_fetcher.cpp).
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
