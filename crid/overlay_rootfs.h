// A container's root filesystem: an overlay mount of the image's unpacked
// layers (read-only lower dirs) with a per-container upper and work dir, kept
// until RemoveContainer.
#pragma once

#include <string>
#include <vector>

#include "libcontainer/result.h"

namespace berth::crid {

struct OverlayPaths {
  std::vector<std::string> lower;  // topmost first, as overlayfs's lowerdir= wants
  std::string upper;
  std::string work;
  std::string target;
};

// Creates upper, work and target when missing, then mounts. Errors name the target.
Result<void> mount_overlay(const OverlayPaths &paths);

}  // namespace berth::crid
