#include "crid/pull_progress_service.h"

#include <chrono>
#include <map>
#include <mutex>

#include "crid/image_service.h"

namespace berth::crid {

namespace {

namespace pv1 = berth::pull::v1;
using Clock = std::chrono::steady_clock;

pv1::LayerProgress::State to_proto(images::LayerState s) {
  switch (s) {
    case images::LayerState::waiting: return pv1::LayerProgress::WAITING;
    case images::LayerState::downloading: return pv1::LayerProgress::DOWNLOADING;
    case images::LayerState::exists: return pv1::LayerProgress::EXISTS;
    case images::LayerState::done: return pv1::LayerProgress::DONE;
  }
  return pv1::LayerProgress::WAITING;
}

// Passes layer events to the stream. Byte counts come per write (every few
// KiB): at most one per layer every 100 ms goes out, and every change of state.
// A client that went away stops the events, not the pull: the image is wanted
// by whoever asked, as with CRI's PullImage.
class StreamObserver : public images::PullObserver {
 public:
  explicit StreamObserver(rpc::Writer<pv1::PullEvent> *writer) : writer_(writer) {}

  void layer(const std::string &digest, images::LayerState state, uint64_t done, uint64_t total) override {
    std::lock_guard lock(mu_);
    if (gone_) return;
    auto now = Clock::now();
    if (state == images::LayerState::downloading && done < total) {
      auto it = last_.find(digest);
      if (it != last_.end() && now - it->second < std::chrono::milliseconds(100)) return;
    }
    last_[digest] = now;
    pv1::PullEvent ev;
    auto *l = ev.mutable_layer();
    l->set_digest(digest);
    l->set_state(to_proto(state));
    l->set_done(done);
    l->set_total(total);
    if (!writer_->write(ev)) gone_ = true;
  }

  bool write_last(const std::string &image_ref) {
    std::lock_guard lock(mu_);
    if (gone_) return false;
    pv1::PullEvent ev;
    ev.set_image_ref(image_ref);
    return writer_->write(ev);
  }

 private:
  std::mutex mu_;  // the stream takes one write at a time
  rpc::Writer<pv1::PullEvent> *writer_;
  std::map<std::string, Clock::time_point> last_;
  bool gone_ = false;
};

}  // namespace

rpc::Status PullProgressService::PullImage(rpc::CallContext *, const runtime::v1::PullImageRequest *request,
                                            rpc::Writer<pv1::PullEvent> *writer) {
  StreamObserver observer(writer);
  std::string image_ref;
  rpc::Status s = pull_image(images_, *request, &observer, &image_ref);
  if (!s.ok()) return s;
  if (!observer.write_last(image_ref)) return rpc::Status(rpc::StatusCode::CANCELLED, "client went away");
  return rpc::Status::OK;
}

}  // namespace berth::crid
