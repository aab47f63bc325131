// How `cridctl pull` shows each layer of a pull. On a terminal: one line per
// layer (short digest, state, bytes done/total), redrawn in place as events
// come. Otherwise (a pipe, a log): one plain line when a layer is finished,
// nothing for the bytes in between, so logs stay short and stable.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

namespace berth::cridctl {

// In the order of LayerProgress.State in crid/proto/pull_progress.proto.
enum class LayerPhase { waiting, downloading, exists, done };

class PullProgressView {
 public:
  PullProgressView(std::FILE *out, bool terminal) : out_(out), terminal_(terminal) {}
  void update(const std::string &digest, LayerPhase phase, uint64_t done, uint64_t total);

  // "0123456789ab: Downloading  1.2MB/3.4MB" (exposed for the unit tests)
  static std::string line(const std::string &digest, LayerPhase phase, uint64_t done, uint64_t total);

 private:
  struct Layer {
    std::string digest;
    LayerPhase phase;
    uint64_t done, total;
  };
  void redraw();

  std::FILE *out_;
  bool terminal_;
  std::vector<Layer> layers_;  // in the order they were first heard of
  size_t drawn_ = 0;           // lines on screen from the last redraw
};

}  // namespace berth::cridctl
