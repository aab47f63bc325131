#include "crid/ctl/pull_progress_view.h"

#include <fmt/format.h>

#include <algorithm>

#include "crid/ctl/output.h"

namespace berth::cridctl {

namespace {

// Docker's and crictl users' habit: the first 12 hex digits of the layer digest.
std::string short_digest(const std::string &digest) {
  std::string_view hex = digest;
  if (auto colon = hex.find(':'); colon != std::string_view::npos) hex.remove_prefix(colon + 1);
  return std::string(hex.substr(0, 12));
}

bool finished(LayerPhase p) { return p == LayerPhase::exists || p == LayerPhase::done; }

}  // namespace

std::string PullProgressView::line(const std::string &digest, LayerPhase phase, uint64_t done, uint64_t total) {
  std::string id = short_digest(digest);
  switch (phase) {
    case LayerPhase::waiting: return fmt::format("{}: Waiting", id);
    case LayerPhase::downloading:
      return fmt::format("{}: Downloading {:>8}/{}", id, human_size(static_cast<double>(done), 3),
                         human_size(static_cast<double>(total), 3));
    case LayerPhase::exists: return fmt::format("{}: Already exists", id);
    case LayerPhase::done: return fmt::format("{}: Pull complete {}/{} bytes", id, done, total);
  }
  return id;
}

void PullProgressView::update(const std::string &digest, LayerPhase phase, uint64_t done, uint64_t total) {
  auto it = std::find_if(layers_.begin(), layers_.end(), [&](const Layer &l) { return l.digest == digest; });
  if (it == layers_.end()) {
    layers_.push_back({digest, phase, done, total});
    it = layers_.end() - 1;
  } else {
    if (finished(it->phase)) return;  // a late byte count after the end changes nothing
    *it = {digest, phase, done, total};
  }
  if (terminal_) {
    redraw();
  } else if (finished(phase)) {
    fmt::print(out_, "{}\n", line(digest, phase, done, total));
    std::fflush(out_);
  }
}

void PullProgressView::redraw() {
  // Back to the first layer line, then every line again, each cleared first.
  if (drawn_ > 0) fmt::print(out_, "\x1b[{}A", drawn_);
  for (const auto &l : layers_) fmt::print(out_, "\r\x1b[2K{}\n", line(l.digest, l.phase, l.done, l.total));
  drawn_ = layers_.size();
  std::fflush(out_);
}

}  // namespace berth::cridctl
