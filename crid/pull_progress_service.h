// PullProgress (crid/proto/pull_progress.proto): CRI's PullImage, streaming
// each layer's state and bytes as the pull goes, for `cridctl pull`.
//
// Why a streaming call of crid's own: CRI's PullImage returns only at the end,
// and a side channel polled by ref (a status file, a second socket) races with
// fast pulls and cannot tell two concurrent pulls of one ref apart. A stream
// per call carries exactly that call's events, in order, ending with its result.
#pragma once

#include "crid/rpc/call.h"
#include "crid/rpc/status.h"
#include "crid/pull_progress_api.h"
#include "images/image_service.h"

namespace berth::crid {

class PullProgressService final {
 public:
  explicit PullProgressService(images::ImageService &images) : images_(images) {}

  rpc::Status PullImage(rpc::CallContext *, const runtime::v1::PullImageRequest *,
                         rpc::Writer<berth::pull::v1::PullEvent> *);

 private:
  images::ImageService &images_;
};

}  // namespace berth::crid
