// CRI ImageService: translates requests to images::ImageService calls and
// their results (or errors) back to CRI messages and gRPC status codes.
#pragma once

#include <memory>

#include "crid/rpc/call.h"
#include "crid/rpc/status.h"
#include "crid/cri_api.h"
#include "crid/metadata_store.h"
#include "images/image_service.h"

namespace berth::crid {

class ImageService final {
 public:
  ImageService(images::ImageService &images, std::shared_ptr<MetadataStore> metadata)
      : images_(images), metadata_(std::move(metadata)) {}

  rpc::Status ListImages(rpc::CallContext *, const runtime::v1::ListImagesRequest *,
                          runtime::v1::ListImagesResponse *);
  rpc::Status StreamImages(rpc::CallContext *, const runtime::v1::StreamImagesRequest *,
                            rpc::Writer<runtime::v1::StreamImagesResponse> *);
  rpc::Status ImageStatus(rpc::CallContext *, const runtime::v1::ImageStatusRequest *,
                           runtime::v1::ImageStatusResponse *);
  rpc::Status PullImage(rpc::CallContext *, const runtime::v1::PullImageRequest *,
                         runtime::v1::PullImageResponse *);
  rpc::Status RemoveImage(rpc::CallContext *, const runtime::v1::RemoveImageRequest *,
                           runtime::v1::RemoveImageResponse *);
  rpc::Status ImageFsInfo(rpc::CallContext *, const runtime::v1::ImageFsInfoRequest *,
                           runtime::v1::ImageFsInfoResponse *);

 private:
  // The images matching a filter (all when the filter names no image).
  Result<std::vector<images::ImageRecord>> matching(const runtime::v1::ImageFilter &filter);

  images::ImageService &images_;
  std::shared_ptr<MetadataStore> metadata_;
};

// PullImage's work, shared with crid's PullProgress extension: pulls the
// request's image (observer may be null) and sets *image_ref to its id.
rpc::Status pull_image(images::ImageService &images, const runtime::v1::PullImageRequest &request,
                        images::PullObserver *observer, std::string *image_ref);

// An image record as CRI's Image message.
void to_cri_image(const images::ImageRecord &record, runtime::v1::Image *out);

}  // namespace berth::crid
