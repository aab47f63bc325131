// Unpacking layer tarballs (uncompressed, gzip or zstd) into a directory.
//
// No entry lands outside the target: absolute names and ".." are refused, and
// nothing is written through a symlink (libarchive's SECURE_* checks, run in a
// thread with a private cwd inside the target, since crid is multithreaded and
// the cwd is otherwise process-wide).
#pragma once

#include <string>

#include "libcontainer/result.h"

namespace berth::images {

enum class WhiteoutMode {
  // Keep whiteouts as overlayfs wants them in a lower dir: ".wh.x" becomes a
  // 0:0 character device "x"; ".wh..wh..opq" sets trusted.overlay.opaque=y.
  overlay,
  // Apply them to what earlier layers left in the directory (flattened rootfs).
  apply,
};

// Unpacks the layer file into dir (which must exist). Errors name the entry.
Result<void> unpack_layer(const std::string &layer_path, const std::string &dir, WhiteoutMode mode);

// "sha256:<hex>" of the layer's uncompressed tar stream (its diffID).
Result<std::string> layer_diff_id(const std::string &layer_path);

}  // namespace berth::images
