// What a pull reports about its layers while it runs, for clients that show
// progress (cridctl pull). CRI's PullImage has no place for it; crid passes it
// on through its own streaming call (crid/pull_progress_service.h).
#pragma once

#include <cstdint>
#include <string>

namespace berth::images {

enum class LayerState {
  waiting,      // listed in the manifest, not started
  downloading,  // bytes arriving (done counts them)
  exists,       // already in the store: nothing to fetch
  done,         // fetched, verified and unpacked
};

// Called from the pull's fetch threads, possibly several at once: an
// implementation locks what it shares. Must not call back into the service.
class PullObserver {
 public:
  virtual ~PullObserver() = default;
  // digest: the layer blob's "sha256:<hex>"; total: its size from the manifest.
  virtual void layer(const std::string &digest, LayerState state, uint64_t done, uint64_t total) = 0;
};

}  // namespace berth::images
